# terraform test for the eip-bindings module. The qcloud provider takes its
# credentials, region and endpoint from the environment; `go test ./...` runs
# these tests against a local emulator whose world holds the ids below
# (internal/provider/modules_test.go). Each run after the first plans or
# applies the module again; terraform test destroys what was applied at the
# end. What is applied never reallocates a normal public IP: the teardown
# would spend one of the account's 10 a day, and leave the instance holding
# it, which refuses the next run's bind (China site).

variables {
  bindings = {
    "eip-demo0001" = {
      instance_id = "ins-demo0001"
    }
    "eip-demo0006" = {
      network_interface_id = "eni-demo0005"
      private_ip           = "10.0.1.5"
    }
  }
}

run "plan_binds_each_eip" {
  command = plan

  variables {
    bindings = {
      "eip-demo0001" = {
        instance_id                 = "ins-demo0001"
        reallocate_normal_public_ip = true
      }
      "eip-demo0006" = {
        network_interface_id = "eni-demo0005"
        private_ip           = "10.0.1.5"
      }
    }
  }

  assert {
    condition     = length(qcloud_eip_association.this) == 2
    error_message = "The plan binds ${length(qcloud_eip_association.this)} EIPs, want 2."
  }

  assert {
    condition     = qcloud_eip_association.this["eip-demo0001"].instance_id == "ins-demo0001" && qcloud_eip_association.this["eip-demo0001"].reallocate_normal_public_ip
    error_message = "eip-demo0001 is not planned on ins-demo0001 with reallocate_normal_public_ip."
  }

  assert {
    condition     = qcloud_eip_association.this["eip-demo0006"].network_interface_id == "eni-demo0005" && qcloud_eip_association.this["eip-demo0006"].private_ip == "10.0.1.5"
    error_message = "eip-demo0006 is not planned on eni-demo0005 10.0.1.5."
  }
}

run "apply_outputs_public_ips" {
  assert {
    condition     = length(output.public_ips) == 2 && output.public_ips["eip-demo0001"] == "203.0.113.1" && output.public_ips["eip-demo0006"] == "203.0.113.6"
    error_message = "public_ips is ${jsonencode(output.public_ips)}."
  }

  assert {
    condition     = output.association_ids["eip-demo0001"] == "eip-demo0001::ins-demo0001" && output.association_ids["eip-demo0006"] == "eip-demo0006::eni-demo0005::10.0.1.5"
    error_message = "association_ids is ${jsonencode(output.association_ids)}."
  }

  # An instance binding names the instance alone, as configured.
  assert {
    condition     = qcloud_eip_association.this["eip-demo0001"].network_interface_id == null && !qcloud_eip_association.this["eip-demo0001"].reallocate_normal_public_ip
    error_message = "eip-demo0001 is recorded as ${jsonencode(qcloud_eip_association.this["eip-demo0001"])}."
  }
}

# Each validation rule stops a plan before any API call.

run "rejects_a_key_that_is_not_an_eip_id" {
  command = plan
  variables {
    bindings = { "203.0.113.1" = { instance_id = "ins-demo0001" } }
  }
  expect_failures = [var.bindings]
}

run "rejects_both_targets" {
  command = plan
  variables {
    bindings = { "eip-demo0007" = { instance_id = "ins-demo0003", network_interface_id = "eni-demo0005", private_ip = "10.0.1.5" } }
  }
  expect_failures = [var.bindings]
}

run "rejects_no_target" {
  command = plan
  variables {
    bindings = { "eip-demo0007" = {} }
  }
  expect_failures = [var.bindings]
}

run "rejects_an_interface_without_private_ip" {
  command = plan
  variables {
    bindings = { "eip-demo0007" = { network_interface_id = "eni-demo0005" } }
  }
  expect_failures = [var.bindings]
}

run "rejects_malformed_ids" {
  command = plan
  variables {
    bindings = { "eip-demo0007" = { network_interface_id = "eni-demo0005", private_ip = "10.0.1.500" } }
  }
  expect_failures = [var.bindings]
}

run "rejects_reallocation_on_an_interface" {
  command = plan
  variables {
    bindings = { "eip-demo0007" = { network_interface_id = "eni-demo0005", private_ip = "10.0.1.5", reallocate_normal_public_ip = true } }
  }
  expect_failures = [var.bindings]
}

run "rejects_one_target_twice" {
  command = plan
  variables {
    bindings = {
      "eip-demo0007" = { instance_id = "ins-demo0003" }
      "eip-demo0008" = { instance_id = "ins-demo0003" }
    }
  }
  expect_failures = [var.bindings]
}
