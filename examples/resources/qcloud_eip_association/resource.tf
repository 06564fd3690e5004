# Bind an EIP to a CVM instance: the EIP goes to the primary private IP of the
# instance's primary network interface.
resource "qcloud_eip_association" "web" {
  eip_id      = "eip-1a2b3c4d"
  instance_id = "ins-1a2b3c4d"

  # On destroy, give the instance a normal (non-elastic) public IP in place of
  # the EIP. Allowed only for an instance binding like this one, at most 10
  # times per account per day.
  reallocate_normal_public_ip = true

  timeouts = {
    create = "10m"
    delete = "10m"
  }
}

# Bind an EIP to one private IP of an elastic network interface.
resource "qcloud_eip_association" "eni" {
  eip_id               = "eip-5e6f7a8b"
  network_interface_id = "eni-1a2b3c4d"
  private_ip           = "10.0.0.5"
}

output "web_public_ip" {
  value = qcloud_eip_association.web.public_ip
}
