terraform {
  required_providers {
    qcloud = {
      source = "tfqcloud/qcloud"
    }
  }
}

# Credentials are best left to the environment:
#   export TENCENTCLOUD_SECRET_ID=AKID...
#   export TENCENTCLOUD_SECRET_KEY=...
#   export TENCENTCLOUD_REGION=ap-guangzhou
provider "qcloud" {
  region = "ap-guangzhou"

  # Optional: stay below the API's per-action limits when other tools share
  # the account (defaults: 10 writes/s and 20 reads/s per action).
  write_requests_per_second = 5
}
