# The provider block holds only what is not secret. The credentials come
# from the CI job's environment, filled from the CI system's secret store,
# so they are in no file of the repository, no saved plan and no state.
provider "cloudauth" {
  keystone {
    auth_url = "https://keystone.example.com:5000"
    region   = "RegionOne"
    # OS_APPLICATION_CREDENTIAL_ID and OS_APPLICATION_CREDENTIAL_SECRET
  }

  cleura {
    username = "ci-robot"
    # CLEURA_API_PASSWORD
  }

  abiquo {
    endpoint = "https://abiquo.example.com/api"
    username = "ci-robot"
    # ABQ_PASSWORD (and ABQ_OTP_SECRET), or the four ABQ_CONSUMER_KEY,
    # ABQ_CONSUMER_SECRET, ABQ_ACCESS_TOKEN and ABQ_ACCESS_TOKEN_SECRET
  }

  clc {
    username = "ci-robot@example.com"
    # CLC_PASSWORD
  }
}
