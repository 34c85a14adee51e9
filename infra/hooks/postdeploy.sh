#!/bin/sh
# azd postdeploy hook (POSIX). Runs after the code is deployed, because both steps need it there:
#  1. Flex Consumption runs the blob trigger only through Event Grid, and the webhook's key
#     (blobs_extension) exists only once the host has loaded the deployed functions. So the
#     BlobCreated subscription on `uploads` is created here, not in Bicep.
#  2. The admin key is created once, straight into Key Vault, so it never passes through azd's
#     environment files or deployment history.
# azd passes the Bicep outputs (AZURE_*, SERVICE_API_*) as environment variables.
set -eu

: "${AZURE_RESOURCE_GROUP:?run this through azd (azd up or azd deploy)}"
: "${AZURE_FUNCTION_APP_NAME:?missing; run azd provision first}"
: "${AZURE_EVENTGRID_SYSTEM_TOPIC_NAME:?missing; run azd provision first}"
: "${AZURE_STORAGE_UPLOADS_CONTAINER:?missing; run azd provision first}"
: "${AZURE_KEY_VAULT_NAME:?missing; run azd provision first}"
: "${SERVICE_API_URI:?missing; run azd provision first}"

if ! command -v az >/dev/null 2>&1; then
  echo "error: the Azure CLI (az) is required for this hook." >&2
  exit 1
fi

blob_function="Host.Functions.IngestUploadedBlob"
event_subscription="uploads-blob-created"
secret_name="${MEMIC_ADMIN_KEY_SECRET_NAME:-memic-admin-key}"

# Secrets reach az through files (its @file syntax, --file), never the command line, so they
# never show in the process list.
secrets_dir=$(mktemp -d)
chmod 700 "$secrets_dir"
trap 'rm -rf "$secrets_dir"' EXIT

# --- 1. Event Grid subscription for the blob trigger ---------------------------------------

echo "Waiting for the blobs extension key of ${AZURE_FUNCTION_APP_NAME}..."
blobs_key=""
attempt=0
while [ -z "$blobs_key" ]; do
  blobs_key=$(az functionapp keys list \
    --name "$AZURE_FUNCTION_APP_NAME" \
    --resource-group "$AZURE_RESOURCE_GROUP" \
    --query "systemKeys.blobs_extension" \
    --output tsv 2>/dev/null || true)
  if [ -z "$blobs_key" ]; then
    attempt=$((attempt + 1))
    if [ "$attempt" -ge 18 ]; then
      echo "error: no blobs_extension key after 3 minutes; check that the app deployed and started." >&2
      exit 1
    fi
    sleep 10
  fi
done

echo "Subscribing ${blob_function} to BlobCreated events of the '${AZURE_STORAGE_UPLOADS_CONTAINER}' container..."
printf '%s' "${SERVICE_API_URI}/runtime/webhooks/blobs?functionName=${blob_function}&code=${blobs_key}" > "$secrets_dir/endpoint"
# create is create-or-update, so re-running the hook refreshes the endpoint and its key.
az eventgrid system-topic event-subscription create \
  --name "$event_subscription" \
  --resource-group "$AZURE_RESOURCE_GROUP" \
  --system-topic-name "$AZURE_EVENTGRID_SYSTEM_TOPIC_NAME" \
  --endpoint-type webhook \
  --endpoint "@$secrets_dir/endpoint" \
  --included-event-types Microsoft.Storage.BlobCreated \
  --subject-begins-with "/blobServices/default/containers/${AZURE_STORAGE_UPLOADS_CONTAINER}/" \
  --output none

# --- 2. Admin key in Key Vault --------------------------------------------------------------

# Tell "no such secret" apart from "no access yet": new role assignments can take minutes to apply.
exists=""
attempt=0
while [ -z "$exists" ]; do
  if output=$(az keyvault secret show --vault-name "$AZURE_KEY_VAULT_NAME" --name "$secret_name" --query id --output tsv 2>&1); then
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
    --output none
  unset admin_key

  # MEMIC_ADMIN_KEY is a Key Vault reference; writing the setting again makes App Service
  # resolve it now instead of at its next periodic refresh. It goes in a JSON file because az
  # would read a KEY=@value argument as "load value from a file".
  cat > "$secrets_dir/settings.json" <<JSON
[{"name": "MEMIC_ADMIN_KEY", "value": "@Microsoft.KeyVault(VaultName=${AZURE_KEY_VAULT_NAME};SecretName=${secret_name})", "slotSetting": false}]
JSON
  az functionapp config appsettings set \
    --name "$AZURE_FUNCTION_APP_NAME" \
    --resource-group "$AZURE_RESOURCE_GROUP" \
    --settings "@$secrets_dir/settings.json" \
    --output none
  echo "Created the admin key in Key Vault ${AZURE_KEY_VAULT_NAME} (secret ${secret_name})."
else
  echo "The admin key already exists in Key Vault ${AZURE_KEY_VAULT_NAME} (secret ${secret_name}); left unchanged."
fi

echo ""
echo "Read the admin key with:"
echo "  az keyvault secret show --vault-name ${AZURE_KEY_VAULT_NAME} --name ${secret_name} --query value --output tsv"
echo "API: ${SERVICE_API_URI}/api/v1"
