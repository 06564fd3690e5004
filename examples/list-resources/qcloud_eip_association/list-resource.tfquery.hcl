# Every binding of the provider's region.
list "qcloud_eip_association" "all" {
  provider = qcloud
}

# The bindings of two instances, with what importing each would record.
list "qcloud_eip_association" "web" {
  provider         = qcloud
  include_resource = true

  config {
    instance_ids = ["ins-1a2b3c4d", "ins-5e6f7a8b"]
  }
}
