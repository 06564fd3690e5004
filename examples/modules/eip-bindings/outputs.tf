output "public_ips" {
  description = "The public IP of each bound EIP, by EIP id."
  value       = { for eip_id, association in qcloud_eip_association.this : eip_id => association.public_ip }
}

output "association_ids" {
  description = "The id of each association, by EIP id (eip-…::ins-… or eip-…::eni-…::<private IP>), for import or moved blocks."
  value       = { for eip_id, association in qcloud_eip_association.this : eip_id => association.id }
}
