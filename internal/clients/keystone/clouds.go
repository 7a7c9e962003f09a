package keystone

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/gophercloud/gophercloud/v2/openstack/config/clouds"
	"gopkg.in/yaml.v2"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/suggest"
)

// CloudEntry is an entry of clouds.yaml (merged with secure.yaml), in the
// provider block's terms. Empty fields were not in the file.
type CloudEntry struct {
	Name string
	// File is the clouds.yaml that held the entry, SecureFile the
	// secure.yaml next to it ("" when there is none).
	File, SecureFile string
	// Config holds the entry's settings, in the client's terms; its HTTP
	// part is left empty (Insecure and TLS below carry what the file says).
	Config Config
	// Insecure is true for an entry with verify: false.
	Insecure bool
	// TLS holds the CA of cacert and the client certificate of cert and
	// key, for httpx.Config.BaseTLS.
	TLS *tls.Config
	// Warnings name the entry's keys that look like slips: a misspelling
	// of a key the entry may have, or an auth key outside auth:. Such a
	// key is otherwise ignored without a word.
	Warnings []string
}

// CloudsFiles returns where clouds.yaml is looked for, in order, as
// OpenStack's clients do: only OS_CLIENT_CONFIG_FILE when it is set, else
// ./clouds.yaml, $XDG_CONFIG_HOME/openstack (or ~/.config/openstack) and
// /etc/openstack. getenv is the provider's environment, which tests give
// explicitly.
func CloudsFiles(getenv func(string) string) []string {
	if f := getenv("OS_CLIENT_CONFIG_FILE"); f != "" {
		return []string{f}
	}
	return searchPath(getenv, "clouds.yaml")
}

func searchPath(getenv func(string) string, name string) []string {
	var out []string
	if cwd, err := os.Getwd(); err == nil {
		out = append(out, filepath.Join(cwd, name))
	}
	switch {
	case getenv("XDG_CONFIG_HOME") != "":
		out = append(out, filepath.Join(getenv("XDG_CONFIG_HOME"), "openstack", name))
	case getenv("HOME") != "":
		out = append(out, filepath.Join(getenv("HOME"), ".config", "openstack", name))
	}
	return append(out, filepath.Join("/etc", "openstack", name))
}

// LoadCloud reads the clouds.yaml entry name with gophercloud's parser,
// from the first file of CloudsFiles that exists (and the secure.yaml next
// to it). Only the file's values are returned: the caller lays the
// provider block and the environment over them.
func LoadCloud(name string, getenv func(string) string) (*CloudEntry, error) {
	files := CloudsFiles(getenv)
	found := ""
	for _, f := range files {
		if fileExists(f) {
			found = f
			break
		}
	}
	if found == "" {
		return nil, fmt.Errorf("cloud %q: no clouds.yaml in %v", name, files)
	}
	// The options are all given, so that nothing comes from the process
	// environment (OS_CLOUD, OS_REGION_NAME, OS_INTERFACE): the provider's
	// own environment is applied by the caller, above the file.
	ao, eo, tc, err := clouds.Parse(
		clouds.WithCloudName(name),
		clouds.WithLocations(found),
		clouds.WithPublicLocations(searchPath(getenv, "clouds-public.yaml")...),
		clouds.WithRegion(""),
		clouds.WithEndpointType(""),
	)
	if err != nil {
		return nil, fmt.Errorf("cloud %q in %s: %w", name, found, err)
	}
	e := &CloudEntry{Name: name, File: found, TLS: tc}
	if secure := filepath.Join(filepath.Dir(found), "secure.yaml"); fileExists(secure) {
		e.SecureFile = secure
	}
	e.Config = Config{
		AuthURL:                     ao.IdentityEndpoint,
		Region:                      eo.Region,
		Interface:                   string(eo.Availability),
		ApplicationCredentialID:     ao.ApplicationCredentialID,
		ApplicationCredentialName:   ao.ApplicationCredentialName,
		ApplicationCredentialSecret: ao.ApplicationCredentialSecret,
		UserID:                      ao.UserID,
		UserName:                    ao.Username,
		UserDomainID:                ao.DomainID,
		UserDomainName:              ao.DomainName,
		Password:                    ao.Password,
		Token:                       ao.TokenID,
	}
	if tc != nil {
		e.Insecure = tc.InsecureSkipVerify
	}
	if s := ao.Scope; s != nil {
		switch {
		case s.System:
			e.Config.SystemScope = "all"
		case s.TrustID != "":
			return nil, fmt.Errorf("cloud %q in %s asks for a trust scope, which this provider does not request", name, found)
		case s.ProjectName != "":
			e.Config.ProjectName, e.Config.ProjectDomainID, e.Config.ProjectDomainName = s.ProjectName, s.DomainID, s.DomainName
		case s.ProjectID != "":
			e.Config.ProjectID = s.ProjectID
		default:
			e.Config.DomainID, e.Config.DomainName = s.DomainID, s.DomainName
		}
	}
	// gophercloud reads default_domain but does not return it.
	dd, err := defaultDomain(name, found)
	if err != nil {
		return nil, fmt.Errorf("cloud %q in %s: %w", name, found, err)
	}
	e.Config.DefaultDomain = dd
	e.Warnings = keySlips(name, found)
	return e, nil
}

// HasTLS reports whether the entry sets a CA, a client certificate or
// verify: false.
func (e *CloudEntry) HasTLS() bool {
	return e.TLS != nil && (e.TLS.RootCAs != nil || len(e.TLS.Certificates) > 0 || e.TLS.InsecureSkipVerify)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// entryKeys and authKeys are the keys of a clouds.yaml entry, and of its
// auth: map, that gophercloud reads, with the Keystone v2 names the same
// files may carry.
var (
	entryKeys = []string{"cloud", "profile", "auth", "auth_type", "region_name", "regions", "endpoint_type", "interface",
		"identity_api_version", "volume_api_version", "verify", "cacert", "cert", "key"}
	authKeys = []string{"auth_url", "token", "username", "user_id", "password", "passcode", "application_credential_id",
		"application_credential_name", "application_credential_secret", "system_scope", "project_name", "project_id",
		"user_domain_name", "user_domain_id", "project_domain_name", "project_domain_id", "domain_name", "domain_id",
		"default_domain", "trust_id", "allow_reauth", "tenant_name", "tenant_id"}
)

// keySlips looks at the entry name of file and of the secure.yaml next to
// it for keys that look like slips. A key no OpenStack client reads but
// that is near none of these is left alone: other tools (openstacksdk's
// per-service settings, networks) read keys this provider does not.
func keySlips(name, file string) []string {
	var out []string
	for _, f := range []string{file, filepath.Join(filepath.Dir(file), "secure.yaml")} {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue // a missing secure.yaml; the parser read clouds.yaml
		}
		var doc struct {
			Clouds map[string]map[string]any `yaml:"clouds"`
		}
		if yaml.Unmarshal(raw, &doc) != nil {
			continue
		}
		entry := doc.Clouds[name]
		slip := func(key, prefix string, known []string) {
			if slices.Contains(known, key) {
				return
			}
			if near := suggest.Nearest(key, known); near != "" {
				out = append(out, fmt.Sprintf("the entry %q of %s has %q (did you mean %q?), which is ignored", name, f, prefix+key, prefix+near))
			}
		}
		for _, k := range slices.Sorted(maps.Keys(entry)) {
			switch {
			case slices.Contains(authKeys, k) && !slices.Contains(entryKeys, k):
				out = append(out, fmt.Sprintf("the entry %q of %s has %q beside auth:, where it is ignored; %q belongs under auth:", name, f, k, k))
			default:
				slip(k, "", entryKeys)
			}
		}
		if auth, ok := entry["auth"].(map[any]any); ok {
			keys := make([]string, 0, len(auth))
			for k := range auth {
				if s, ok := k.(string); ok {
					keys = append(keys, s)
				}
			}
			slices.Sort(keys)
			for _, k := range keys {
				slip(k, "auth.", authKeys)
			}
		}
	}
	return out
}

// defaultDomain reads auth.default_domain of the entry name from the
// clouds.yaml file and from the secure.yaml next to it, which wins.
func defaultDomain(name, file string) (string, error) {
	value := ""
	for _, f := range []string{file, filepath.Join(filepath.Dir(file), "secure.yaml")} {
		raw, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) && f != file {
			continue
		}
		if err != nil {
			return "", err
		}
		var doc clouds.Clouds
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			return "", fmt.Errorf("%s: %w", f, err)
		}
		if c, ok := doc.Clouds[name]; ok && c.AuthInfo != nil && c.AuthInfo.DefaultDomain != "" {
			value = c.AuthInfo.DefaultDomain
		}
	}
	return value, nil
}
