# The configuration `make demo` applies to the local emulator. The provider
# block is empty on purpose: the credentials, region and endpoint come from
# TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, TENCENTCLOUD_REGION and
# QCLOUD_ENDPOINT, which make demo sets for its own commands only.
terraform {
  required_providers {
    qcloud = {
      source = "tfqcloud/qcloud"
    }
  }
}

provider "qcloud" {}

# An instance binding. Destroying it gives ins-demo0001 a normal public IP
# back in place of the EIP.
resource "qcloud_eip_association" "instance" {
  eip_id                      = "eip-demo0001"
  instance_id                 = "ins-demo0001"
  reallocate_normal_public_ip = true
}

# A binding to one private IP of an elastic network interface.
resource "qcloud_eip_association" "eni" {
  eip_id               = "eip-demo0006"
  network_interface_id = "eni-demo0005"
  private_ip           = "10.0.1.5"
}

output "instance_association_id" {
  value = qcloud_eip_association.instance.id
}

output "instance_public_ip" {
  value = qcloud_eip_association.instance.public_ip
}

output "eni_association_id" {
  value = qcloud_eip_association.eni.id
}

output "eni_public_ip" {
  value = qcloud_eip_association.eni.public_ip
}
