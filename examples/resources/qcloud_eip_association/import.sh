# An instance binding: <eip_id>::<instance_id>
terraform import qcloud_eip_association.web eip-1a2b3c4d::ins-1a2b3c4d

# A network interface binding: <eip_id>::<network_interface_id>::<private_ip>
terraform import qcloud_eip_association.eni eip-5e6f7a8b::eni-1a2b3c4d::10.0.0.5

# The EIP id alone: the provider looks up what the EIP is bound to now.
terraform import qcloud_eip_association.web eip-1a2b3c4d
