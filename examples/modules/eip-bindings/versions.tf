terraform {
  # optional() attributes with defaults need 1.3.
  required_version = ">= 1.3"

  required_providers {
    qcloud = {
      source = "tfqcloud/qcloud"
    }
  }
}
