# Unbind an EIP now, whoever bound it:
#   terraform apply -invoke=action.qcloud_eip_disassociate.incident
action "qcloud_eip_disassociate" "incident" {
  config {
    eip_id = "eip-1a2b3c4d"

    # A guard: refuse, unbinding nothing, unless the EIP is bound to this
    # instance.
    instance_id = "ins-1a2b3c4d"

    # Give the instance a normal (non-elastic) public IP in the EIP's place.
    # Allowed only on an instance's primary private IP, at most 10 times per
    # account per day.
    reallocate_normal_public_ip = true
  }
}

# Or unbind it whenever a resource is created or changed: here, when an
# incident is recorded.
resource "terraform_data" "incident" {
  input = "INC-1234"

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.qcloud_eip_disassociate.incident]
    }
  }
}
