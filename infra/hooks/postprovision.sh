#!/bin/sh
# azd postprovision hook (POSIX). Runs after infra/main.bicep is deployed and before the code is:
# the Key Vault exists, the app does not run yet. It creates the admin key here, once, straight into
# Key Vault (it never passes through azd's environment files or deployment history), so that the
# MEMIC_ADMIN_KEY Key Vault reference resolves the first time the deployed code starts.
# azd passes the Bicep outputs (AZURE_*) as environment variables.
set -eu

: "${AZURE_SUBSCRIPTION_ID:?run this through azd, which sets the subscription it provisioned}"
: "${AZURE_RESOURCE_GROUP:?run this through azd (azd up or azd provision)}"
: "${AZURE_FUNCTION_APP_NAME:?missing; run azd provision first}"
: "${AZURE_KEY_VAULT_NAME:?missing; run azd provision first}"

if ! command -v az >/dev/null 2>&1; then
  echo "error: the Azure CLI (az) is required for this hook." >&2
  exit 1
fi

secret_name="${MEMIC_ADMIN_KEY_SECRET_NAME:-memic-admin-key}"

# Secrets reach az through files (its @file syntax, --file), never the command line, so they
# never show in the process list.
secrets_dir=$(mktemp -d)
chmod 700 "$secrets_dir"
trap 'rm -rf "$secrets_dir"' EXIT

# Tell "no such secret" apart from "no access yet": new role assignments can take minutes to apply.
exists=""
attempt=0
while [ -z "$exists" ]; do
  if output=$(az keyvault secret show --vault-name "$AZURE_KEY_VAULT_NAME" --name "$secret_name" --query id --subscription "$AZURE_SUBSCRIPTION_ID" --output tsv 2>&1); then
    exists="yes"
  else
    case "$output" in
      *SecretNotFound*) exists="no" ;;
      *)
        attempt=$((attempt + 1))
        if [ "$attempt" -ge 18 ]; then
          echo "$output" >&2
          exit 1
        fi
        echo "Key Vault not readable yet (role assignments can take a few minutes); retrying..."
        sleep 10
        ;;
    esac
  fi
done

if [ "$exists" = "no" ]; then
  # mk_admin_ + 32 random bytes, base64url without padding (like API keys, CONTRACT §1).
  admin_key="mk_admin_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  key_file="$secrets_dir/admin-key"
  printf '%s' "$admin_key" > "$key_file"
  az keyvault secret set \
    --vault-name "$AZURE_KEY_VAULT_NAME" \
    --name "$secret_name" \
    --file "$key_file" \
    --encoding utf-8 \
    --content-type "text/plain" \
    --subscription "$AZURE_SUBSCRIPTION_ID" --output none
  unset admin_key

  # MEMIC_ADMIN_KEY is a Key Vault reference. App Service may have tried it (and failed) when the
  # provision created the setting; writing the setting again makes it resolve now instead of at its
  # next periodic refresh. It goes in a JSON file because az would read a KEY=@value argument as
  # "load value from a file".
  cat > "$secrets_dir/settings.json" <<JSON
[{"name": "MEMIC_ADMIN_KEY", "value": "@Microsoft.KeyVault(VaultName=${AZURE_KEY_VAULT_NAME};SecretName=${secret_name})", "slotSetting": false}]
JSON
  az functionapp config appsettings set \
    --name "$AZURE_FUNCTION_APP_NAME" \
    --resource-group "$AZURE_RESOURCE_GROUP" \
    --settings "@$secrets_dir/settings.json" \
    --subscription "$AZURE_SUBSCRIPTION_ID" --output none
  echo "Created the admin key in Key Vault ${AZURE_KEY_VAULT_NAME} (secret ${secret_name})."
else
  echo "The admin key already exists in Key Vault ${AZURE_KEY_VAULT_NAME} (secret ${secret_name}); left unchanged."
fi

echo "Read the admin key with:"
echo "  az keyvault secret show --vault-name ${AZURE_KEY_VAULT_NAME} --name ${secret_name} --query value --output tsv --subscription ${AZURE_SUBSCRIPTION_ID}"
