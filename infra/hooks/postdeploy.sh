#!/bin/sh
# azd postdeploy hook (POSIX). Runs after the code is deployed, because it needs it there:
# Flex Consumption runs the blob trigger only through Event Grid, and the webhook's key
# (blobs_extension) exists only once the host has loaded the deployed functions. So the
# BlobCreated subscription on `uploads` is created here, not in Bicep. (The admin key was created
# earlier, by the postprovision hook, so the app never starts without it.)
# Safe to re-run: every step is create-or-update, and each waits out the usual first-start delays.
# azd passes the Bicep outputs (AZURE_*, SERVICE_API_*) as environment variables.
set -eu

: "${AZURE_SUBSCRIPTION_ID:?run this through azd, which sets the subscription it provisioned}"
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
retry_seconds="${MEMIC_HOOK_RETRY_SECONDS:-10}"

# The webhook URL carries the key, so it reaches az through a file (its @file syntax), never the
# command line, and never shows in the process list.
secrets_dir=$(mktemp -d)
chmod 700 "$secrets_dir"
trap 'rm -rf "$secrets_dir"' EXIT

echo "Waiting for the blobs extension key of ${AZURE_FUNCTION_APP_NAME}..."
blobs_key=""
attempt=0
while [ -z "$blobs_key" ]; do
  blobs_key=$(az functionapp keys list \
    --name "$AZURE_FUNCTION_APP_NAME" \
    --resource-group "$AZURE_RESOURCE_GROUP" \
    --query "systemKeys.blobs_extension" \
    --subscription "$AZURE_SUBSCRIPTION_ID" --output tsv 2>/dev/null || true)
  if [ -z "$blobs_key" ]; then
    attempt=$((attempt + 1))
    if [ "$attempt" -ge 18 ]; then
      echo "error: no blobs_extension key after 18 tries; check that the app deployed and started (docs/deploy.md, Troubleshooting)." >&2
      exit 1
    fi
    sleep "$retry_seconds"
  fi
done

echo "Subscribing ${blob_function} to BlobCreated events of the '${AZURE_STORAGE_UPLOADS_CONTAINER}' container..."
printf '%s' "${SERVICE_API_URI}/runtime/webhooks/blobs?functionName=${blob_function}&code=${blobs_key}" > "$secrets_dir/endpoint"
# create is create-or-update, so re-running the hook refreshes the endpoint and its key. Event Grid
# validates the webhook with a handshake the host answers; a host still starting fails it, so retry.
attempt=0
until output=$(az eventgrid system-topic event-subscription create \
    --name "$event_subscription" \
    --resource-group "$AZURE_RESOURCE_GROUP" \
    --system-topic-name "$AZURE_EVENTGRID_SYSTEM_TOPIC_NAME" \
    --endpoint-type webhook \
    --endpoint "@$secrets_dir/endpoint" \
    --included-event-types Microsoft.Storage.BlobCreated \
    --subject-begins-with "/blobServices/default/containers/${AZURE_STORAGE_UPLOADS_CONTAINER}/" \
    --subscription "$AZURE_SUBSCRIPTION_ID" --output none 2>&1); do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge 6 ]; then
    # az's message may quote the endpoint; never print the webhook key.
    printf '%s\n' "$output" | sed "s/code=[^&\" ]*/code=***/g" >&2
    echo "error: the Event Grid subscription could not be created; see docs/deploy.md, Troubleshooting (Event Grid validation)." >&2
    exit 1
  fi
  echo "Event Grid could not validate the webhook yet (the host may still be starting); retrying..."
  sleep "$retry_seconds"
done

echo ""
echo "Read the admin key with:"
echo "  az keyvault secret show --vault-name ${AZURE_KEY_VAULT_NAME} --name ${secret_name} --query value --output tsv --subscription ${AZURE_SUBSCRIPTION_ID}"
echo "API: ${SERVICE_API_URI}/api/v1"
