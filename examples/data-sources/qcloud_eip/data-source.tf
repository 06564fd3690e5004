# Look an EIP up by its name. Exactly one EIP must have it: none, or several,
# is an error that says how many matched.
data "qcloud_eip" "web" {
  name = "web"
}

# Or by its public IP (or by id).
data "qcloud_eip" "api" {
  public_ip = "198.51.100.2"
}

# Bind the EIP found by name to an instance.
resource "qcloud_eip_association" "web" {
  eip_id      = data.qcloud_eip.web.id
  instance_id = "ins-1a2b3c4d"
}

output "api_eip" {
  value = {
    id          = data.qcloud_eip.api.id
    status      = data.qcloud_eip.api.status
    instance_id = data.qcloud_eip.api.instance_id
  }
}
