#!/usr/bin/env bash
# make demo: bind two EIPs with Terraform against a local emulator of the
# Tencent Cloud VPC API, then unbind them, and show what the "cloud" saw.
#
#   1. builds the provider and the emulator into bin/;
#   2. starts bin/qcloud-emulator on a free loopback port with demo credentials;
#   3. writes a Terraform CLI configuration with dev_overrides into a temporary
#      folder (your own CLI configuration is neither read nor changed) and
#      copies examples/demo/ next to it;
#   4. runs terraform plan, apply, output, state show, and destroy (the demo
#      binds with reallocate_normal_public_ip = true);
#   5. prints what the emulator shows now, then stops it and removes the
#      temporary folder (also on failure and on Ctrl-C).
#
# Needs: go, terraform (1.11+). Uses curl and jq when present, else plain bash.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN="$ROOT/bin"
VERSION=${VERSION:-dev}
START_TIMEOUT=${DEMO_START_TIMEOUT:-20} # seconds to wait for the emulator's URL

# Demo credentials: the emulator accepts these and nothing else. They are
# passed to terraform through environment variables, for its commands only.
DEMO_SECRET_ID=AKIDqcloudDemo
DEMO_SECRET_KEY=qcloud-demo-secret
DEMO_REGION=ap-guangzhou

if [[ -t 1 ]]; then BOLD=$'\e[1m' RED=$'\e[31m' GREEN=$'\e[32m' RESET=$'\e[0m'; else BOLD='' RED='' GREEN='' RESET=''; fi
step() { printf '\n%s==> %s%s\n' "$BOLD" "$*" "$RESET"; }
info() { printf '    %s\n' "$*"; }
die() {
	printf '\n%smake demo: %s%s\n' "$RED" "$*" "$RESET" >&2
	exit 1
}

command -v go >/dev/null 2>&1 || die "the go command is not on PATH. Install Go 1.25.8 or later (https://go.dev/dl/)."
command -v terraform >/dev/null 2>&1 || die "the terraform CLI is not on PATH. Install Terraform 1.11 or later (https://developer.hashicorp.com/terraform/install)."

WORK=$(mktemp -d "${TMPDIR:-/tmp}/qcloud-demo.XXXXXX")
EMULATOR_PID=""
CURRENT_STEP="starting"

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ -n $EMULATOR_PID ]] && kill -0 "$EMULATOR_PID" 2>/dev/null; then
		kill -TERM "$EMULATOR_PID" 2>/dev/null || true
		wait "$EMULATOR_PID" 2>/dev/null || true
	fi
	if ((rc != 0)) && [[ -s $WORK/emulator.log ]]; then
		printf '\nThe last lines of the emulator log:\n' >&2
		tail -n 12 "$WORK/emulator.log" | sed 's/^/    /' >&2
	fi
	rm -rf -- "$WORK"
	if ((rc == 0)); then
		printf '\n%sDemo finished: the emulator is stopped and its temporary files are removed.%s\n' "$GREEN" "$RESET"
	else
		printf '\n%sDemo failed (exit %d) during: %s.%s\n' "$RED" "$rc" "$CURRENT_STEP" "$RESET" >&2
		printf 'The emulator is stopped and the temporary files are removed.\n' >&2
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'printf "\nInterrupted.\n" >&2; exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# Reading the emulator's control surface without curl or jq being required.

http_get() { # URL path → body on stdout
	local path=$1
	if command -v curl >/dev/null 2>&1; then
		curl -fsS --max-time 10 "$EMULATOR_URL$path"
	elif command -v wget >/dev/null 2>&1; then
		wget -qO- --timeout=10 "$EMULATOR_URL$path"
	else
		local hostport=${EMULATOR_URL#http://}
		exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}"
		printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$path" "$hostport" >&3
		sed '1,/^\r\{0,1\}$/d' <&3
		exec 3<&-
	fi
}

# addresses_tsv reads GET /_emulator/world and prints one line per address:
# id, type, status, public IP, instance, network interface, private IP.
addresses_tsv() {
	local world
	world=$(http_get /_emulator/world)
	if command -v jq >/dev/null 2>&1; then
		jq -r '.addresses[] | [.addressId, .addressType, .status, .addressIp,
			(.instanceId // "-"), (.networkInterfaceId // "-"), (.privateIp // "-")] | @tsv' <<<"$world"
	else
		# The control surface pretty-prints its JSON one field per line.
		awk '
			/^  "addresses": \[/ { in_addr = 1; next }
			in_addr && /^  \]/ { in_addr = 0 }
			!in_addr { next }
			/^    \{/ { delete f; next }
			/^    \}/ {
				printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f["addressId"], f["addressType"], f["status"], f["addressIp"],
					(f["instanceId"] == "" ? "-" : f["instanceId"]), (f["networkInterfaceId"] == "" ? "-" : f["networkInterfaceId"]),
					(f["privateIp"] == "" ? "-" : f["privateIp"])
				next
			}
			/^      "[A-Za-z]+": / {
				line = $0
				sub(/^ *"/, "", line); key = line; sub(/".*/, "", key)
				value = line; sub(/^[^:]*: */, "", value); sub(/,$/, "", value); gsub(/"/, "", value)
				f[key] = value
			}' <<<"$world"
	fi
}

# show_addresses prints the addresses the demo is about.
show_addresses() {
	printf '    %-14s %-6s %-9s %-13s %-14s %-14s %s\n' ADDRESS TYPE STATUS PUBLIC_IP INSTANCE INTERFACE PRIVATE_IP
	local id type status ip ins eni pip
	while IFS=$'\t' read -r id type status ip ins eni pip; do
		case "$id/$ins/$eni" in
		eip-demo0001/* | eip-demo0006/* | */ins-demo0001/* | */*/eni-demo0005)
			printf '    %-14s %-6s %-9s %-13s %-14s %-14s %s\n' "$id" "$type" "$status" "$ip" "$ins" "$eni" "$pip"
			;;
		esac
	done <<<"$ADDRESSES"
}

address_field() { # id column → value ("" when the address is absent)
	awk -F'\t' -v id="$1" -v col="$2" '$1 == id { print $col }' <<<"$ADDRESSES"
}

# ---------------------------------------------------------------------------

CURRENT_STEP="building the provider and the emulator"
step "1/5 Building the provider and the emulator into bin/"
cd "$ROOT"
go build -o "$BIN/terraform-provider-qcloud" -ldflags "-X main.version=$VERSION" .
go build -o "$BIN/qcloud-emulator" ./cmd/qcloud-emulator
info "bin/terraform-provider-qcloud and bin/qcloud-emulator are built"

CURRENT_STEP="starting the emulator"
step "2/5 Starting the emulator on a free loopback port"
"$BIN/qcloud-emulator" -listen 127.0.0.1:0 -secret-id "$DEMO_SECRET_ID" -secret-key "$DEMO_SECRET_KEY" \
	-region "$DEMO_REGION" -v </dev/null >"$WORK/emulator.out" 2>"$WORK/emulator.log" &
EMULATOR_PID=$!
EMULATOR_URL=""
for ((i = 0; i < START_TIMEOUT * 10; i++)); do
	if [[ -s $WORK/emulator.out ]] && IFS= read -r EMULATOR_URL <"$WORK/emulator.out" && [[ $EMULATOR_URL == http://* ]]; then
		break
	fi
	EMULATOR_URL=""
	if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
		cat "$WORK/emulator.log" >&2 || true
		die "the emulator exited before printing its URL (its log is above)"
	fi
	sleep 0.1
done
[[ -n $EMULATOR_URL ]] || die "the emulator did not print its URL within ${START_TIMEOUT}s (DEMO_START_TIMEOUT)"
info "emulator (pid $EMULATOR_PID) serves the VPC API at $EMULATOR_URL"
info "demo credentials: secret ID $DEMO_SECRET_ID, region $DEMO_REGION"

CURRENT_STEP="preparing the Terraform working directory"
step "3/5 Writing a CLI configuration with dev_overrides in a temporary folder"
mkdir -p "$WORK/demo"
cp "$ROOT"/examples/demo/*.tf "$WORK/demo/"
cat >"$WORK/terraformrc" <<EOF
# Written by scripts/demo.sh for the demo's own terraform commands only.
provider_installation {
  dev_overrides {
    "registry.terraform.io/tfqcloud/qcloud" = "$BIN"
  }
  direct {}
}
EOF
info "working directory: $WORK/demo (a copy of examples/demo/)"
info "TF_CLI_CONFIG_FILE=$WORK/terraformrc, for the demo's terraform commands only;"
info "dev_overrides makes terraform use bin/terraform-provider-qcloud, so no terraform init is needed."
info "Terraform warns that provider development overrides are in effect: that is expected here."

# tf runs terraform in the demo folder with the demo's settings, and only
# those: the caller's cloud credentials, CLI configuration and CLI arguments
# are kept away from it.
tf() {
	local unset_args=(-u TENCENTCLOUD_SECURITY_TOKEN -u TENCENTCLOUD_CREDENTIALS_FILE -u TF_WORKSPACE -u TF_DATA_DIR)
	local name
	for name in $(compgen -e); do
		[[ $name == TF_CLI_ARGS* ]] && unset_args+=(-u "$name")
	done
	(
		cd "$WORK/demo"
		env "${unset_args[@]}" \
			TF_CLI_CONFIG_FILE="$WORK/terraformrc" \
			TF_IN_AUTOMATION=1 \
			CHECKPOINT_DISABLE=1 \
			TENCENTCLOUD_SECRET_ID="$DEMO_SECRET_ID" \
			TENCENTCLOUD_SECRET_KEY="$DEMO_SECRET_KEY" \
			TENCENTCLOUD_REGION="$DEMO_REGION" \
			QCLOUD_ENDPOINT="$EMULATOR_URL" \
			terraform "$@"
	)
}
# Terraform colours its output unless told not to; keep logs plain.
NOCOLOR=""
[[ -t 1 ]] || NOCOLOR=-no-color

step "4/5 Running Terraform against the emulator"
CURRENT_STEP="terraform plan"
step "4a. terraform plan"
tf plan -input=false -compact-warnings ${NOCOLOR:+"$NOCOLOR"}

CURRENT_STEP="terraform apply"
step "4b. terraform apply -auto-approve"
tf apply -input=false -auto-approve -compact-warnings ${NOCOLOR:+"$NOCOLOR"}

CURRENT_STEP="terraform output and terraform state show"
step "4c. terraform output, and terraform state show of the instance binding"
tf output ${NOCOLOR:+"$NOCOLOR"}
tf state show ${NOCOLOR:+"$NOCOLOR"} qcloud_eip_association.instance
CURRENT_STEP="reading the emulator"
ADDRESSES=$(addresses_tsv)
info ""
info "The emulator now shows:"
show_addresses
[[ $(address_field eip-demo0001 3) == BIND && $(address_field eip-demo0001 5) == ins-demo0001 ]] ||
	die "after apply the emulator does not show eip-demo0001 bound to ins-demo0001"
[[ $(address_field eip-demo0006 3) == BIND_ENI && $(address_field eip-demo0006 7) == 10.0.1.5 ]] ||
	die "after apply the emulator does not show eip-demo0006 bound to eni-demo0005 / 10.0.1.5"

CURRENT_STEP="terraform destroy"
step "4d. terraform destroy -auto-approve (reallocate_normal_public_ip = true on the instance binding)"
tf destroy -input=false -auto-approve -compact-warnings ${NOCOLOR:+"$NOCOLOR"}

CURRENT_STEP="reading the emulator"
step "5/5 What the emulator shows after destroy"
ADDRESSES=$(addresses_tsv)
show_addresses
info ""
info "DisassociateAddress calls the emulator received:"
requests=$(http_get '/_emulator/requests?action=DisassociateAddress')
if command -v jq >/dev/null 2>&1; then
	jq -r '.[] | "      " + (.body | tojson) + (if .errorCode then "  -> " + .errorCode else "" end)' <<<"$requests"
else
	grep -E '"(AddressId|ReallocateNormalPublicIp)"' <<<"$requests" | sed 's/^ *//; s/,$//' | paste -d' ' - - | sed 's/^/      /'
fi

wanip=$(awk -F'\t' '$2 == "WanIP" && $5 == "ins-demo0001" { print $4 }' <<<"$ADDRESSES")
[[ $(address_field eip-demo0001 3) == UNBIND ]] || die "after destroy eip-demo0001 is not UNBIND"
[[ $(address_field eip-demo0006 3) == UNBIND ]] || die "after destroy eip-demo0006 is not UNBIND"
[[ -n $wanip ]] || die "after destroy ins-demo0001 holds no normal public IP (WanIP)"
if command -v jq >/dev/null 2>&1; then
	quota=$(http_get /_emulator/world | jq -r '.quotas[] | select(.quotaId == "DAILY_PUBLIC_IP_ASSIGN") | "\(.current) of \(.limit)"')
	info ""
	info "Daily normal public IP reallocations used (quota DAILY_PUBLIC_IP_ASSIGN): $quota"
fi
info ""
info "eip-demo0001 and eip-demo0006 are UNBIND again, and ins-demo0001 holds the normal public IP $wanip"
info "(reallocate_normal_public_ip = true was sent as ReallocateNormalPublicIp on DisassociateAddress)."
CURRENT_STEP="stopping the emulator"
