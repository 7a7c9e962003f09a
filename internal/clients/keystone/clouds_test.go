package keystone_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
)

const cloudsYAML = `clouds:
  appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://keystone.example:5000
      application_credential_id: a3c1e8f07b2d4c9e9f6a5b4d3c2e1f08
    region_name: RegionTwo
    interface: internal
  pw:
    auth:
      auth_url: https://keystone.example:5000/v3
      username: demo
      user_domain_name: Default
      project_name: demo
      project_domain_id: default
    verify: false
  domain-scoped:
    auth:
      auth_url: https://keystone.example:5000/v3
      user_id: 5b8e2f64c0d94b6e8d1a7f3c9e204b11
      domain_name: Default
  system:
    auth:
      auth_url: https://keystone.example:5000/v3
      username: admin
      password: pw
      default_domain: default
      system_scope: all
  default-domain:
    auth:
      auth_url: https://keystone.example:5000/v3
      username: demo
      project_name: demo
      default_domain: from-clouds-yaml
`

const secureYAML = `clouds:
  appcred:
    auth:
      application_credential_secret: secret-from-secure-yaml
  pw:
    auth:
      password: password-from-secure-yaml
  default-domain:
    auth:
      default_domain: from-secure-yaml
`

func writeClouds(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "clouds.yaml")
	if err := os.WriteFile(path, []byte(cloudsYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "secure.yaml"), []byte(secureYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadCloud(t *testing.T) {
	t.Parallel()
	path := writeClouds(t, t.TempDir())
	env := envOf(map[string]string{"OS_CLIENT_CONFIG_FILE": path})

	ac, err := keystone.LoadCloud("appcred", env)
	if err != nil {
		t.Fatal(err)
	}
	if ac.File != path || ac.Config.AuthURL != "https://keystone.example:5000" || ac.Config.ApplicationCredentialID != "a3c1e8f07b2d4c9e9f6a5b4d3c2e1f08" ||
		ac.Config.ApplicationCredentialSecret != "secret-from-secure-yaml" || ac.Config.Region != "RegionTwo" || ac.Config.Interface != "internal" || ac.Insecure {
		t.Errorf("appcred = %+v", ac)
	}

	pw, err := keystone.LoadCloud("pw", env)
	if err != nil {
		t.Fatal(err)
	}
	if pw.Config.UserName != "demo" || pw.Config.UserDomainName != "Default" || pw.Config.Password != "password-from-secure-yaml" ||
		pw.Config.ProjectName != "demo" || pw.Config.ProjectDomainID != "default" || pw.Config.DomainID != "" || pw.Config.DomainName != "" || !pw.Insecure {
		t.Errorf("pw = %+v", pw)
	}

	ds, err := keystone.LoadCloud("domain-scoped", env)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Config.UserID == "" || ds.Config.DomainName != "Default" || ds.Config.ProjectName != "" {
		t.Errorf("domain-scoped = %+v", ds)
	}

	sys, err := keystone.LoadCloud("system", env)
	if err != nil {
		t.Fatal(err)
	}
	if sys.Config.SystemScope != "all" || sys.Config.DefaultDomain != "default" || sys.Config.ProjectName != "" || sys.Config.DomainID != "" || sys.Config.UserName != "admin" {
		t.Errorf("system = %+v", sys)
	}
	dd, err := keystone.LoadCloud("default-domain", env)
	if err != nil {
		t.Fatal(err)
	}
	if dd.Config.DefaultDomain != "from-secure-yaml" || dd.Config.ProjectName != "demo" || dd.Config.UserDomainID != "" || dd.Config.SystemScope != "" {
		t.Errorf("default-domain = %+v", dd)
	}
	if pw.Config.DefaultDomain != "" || pw.Config.SystemScope != "" {
		t.Errorf("pw = %+v", pw)
	}
	if _, err := keystone.LoadCloud("nope", env); err == nil || !strings.Contains(err.Error(), `"nope"`) || !strings.Contains(err.Error(), path) {
		t.Errorf("unknown entry: err = %v", err)
	}
}

func TestCloudsSearchPath(t *testing.T) {
	t.Parallel()
	xdg, home := t.TempDir(), t.TempDir()
	writeClouds(t, filepath.Join(xdg, "openstack"))
	writeClouds(t, filepath.Join(home, ".config", "openstack"))

	files := keystone.CloudsFiles(envOf(map[string]string{"XDG_CONFIG_HOME": xdg, "HOME": home}))
	if len(files) != 3 || !strings.HasSuffix(files[0], "/clouds.yaml") || files[1] != filepath.Join(xdg, "openstack", "clouds.yaml") ||
		files[2] != "/etc/openstack/clouds.yaml" {
		t.Errorf("with XDG_CONFIG_HOME: %v", files)
	}
	e, err := keystone.LoadCloud("appcred", envOf(map[string]string{"XDG_CONFIG_HOME": xdg, "HOME": home}))
	if err != nil || e.File != filepath.Join(xdg, "openstack", "clouds.yaml") {
		t.Errorf("XDG_CONFIG_HOME: %+v, %v", e, err)
	}
	e, err = keystone.LoadCloud("appcred", envOf(map[string]string{"HOME": home}))
	if err != nil || e.File != filepath.Join(home, ".config", "openstack", "clouds.yaml") {
		t.Errorf("HOME: %+v, %v", e, err)
	}
	// OS_CLIENT_CONFIG_FILE is the only place looked at when set.
	missing := filepath.Join(t.TempDir(), "absent.yaml")
	_, err = keystone.LoadCloud("appcred", envOf(map[string]string{"OS_CLIENT_CONFIG_FILE": missing, "HOME": home}))
	if err == nil || !strings.Contains(err.Error(), missing) || strings.Contains(err.Error(), home) {
		t.Errorf("OS_CLIENT_CONFIG_FILE to a missing file: %v", err)
	}
}

// A misspelled key of a clouds.yaml entry (or of its secure.yaml part)
// would be ignored without a word, and the login would go elsewhere or
// fail far from the cause: it is named with the key meant. A key under
// the entry that belongs under auth: is named too. Keys other OpenStack
// tools read (per-service settings, networks) are not warnings.
func TestLoadCloudWarnsOfMisspelledKeys(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clouds := `clouds:
  typos:
    auth:
      auth_url: https://keystone.example:5000/v3
      usernme: demo
      project_name: demo
    regon_name: RegionTwo
    intreface: internal
    password: at-the-wrong-level
    image_api_version: "2"
    compute_endpoint_override: https://nova.example
    networks: []
    unrelated_tool_setting: 1
`
	secure := `clouds:
  typos:
    auth:
      pasword: from-secure-yaml
`
	for name, body := range map[string]string{"clouds.yaml": clouds, "secure.yaml": secure} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "clouds.yaml")
	e, err := keystone.LoadCloud("typos", func(k string) string {
		if k == "OS_CLIENT_CONFIG_FILE" {
			return file
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(e.Warnings, "\n")
	for _, want := range []string{
		`"regon_name" (did you mean "region_name"?)`,
		`"intreface" (did you mean "interface"?)`,
		`"auth.usernme" (did you mean "auth.username"?)`,
		`"auth.pasword" (did you mean "auth.password"?)`,
		`"password" belongs under auth:`,
		filepath.Join(dir, "secure.yaml"),
	} {
		if !strings.Contains(got, want) {
			t.Errorf("warnings lack %s:\n%s", want, got)
		}
	}
	for _, quiet := range []string{"image_api_version", "compute_endpoint_override", "networks", "unrelated_tool_setting", "project_name"} {
		if strings.Contains(got, `"`+quiet+`"`) {
			t.Errorf("warning about %s, which is no slip:\n%s", quiet, got)
		}
	}
	if len(e.Warnings) != 5 {
		t.Errorf("%d warnings, want 5:\n%s", len(e.Warnings), got)
	}
}
