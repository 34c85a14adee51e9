# azd postdeploy hook (Windows, PowerShell 7). Same steps as postdeploy.sh: Flex Consumption runs
# the blob trigger only through Event Grid, and the webhook's key (blobs_extension) exists only once
# the host has loaded the deployed functions, so the BlobCreated subscription on `uploads` is created
# here, not in Bicep. (The admin key was created earlier, by postprovision.ps1.)
# Safe to re-run: every step is create-or-update, and each waits out the usual first-start delays.
# azd passes the Bicep outputs (AZURE_*, SERVICE_API_*) as environment variables.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

foreach ($name in 'AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP', 'AZURE_FUNCTION_APP_NAME', 'AZURE_EVENTGRID_SYSTEM_TOPIC_NAME',
    'AZURE_STORAGE_UPLOADS_CONTAINER', 'AZURE_KEY_VAULT_NAME', 'SERVICE_API_URI') {
    if (-not [Environment]::GetEnvironmentVariable($name)) {
        throw "$name is not set; run this through azd (azd up or azd deploy) after azd provision."
    }
}
if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
    throw 'The Azure CLI (az) is required for this hook.'
}

# Every az call names the subscription azd provisioned, not whichever one `az account set` last chose.
$subscription = $env:AZURE_SUBSCRIPTION_ID
$resourceGroup = $env:AZURE_RESOURCE_GROUP
$appName = $env:AZURE_FUNCTION_APP_NAME
$vaultName = $env:AZURE_KEY_VAULT_NAME
$uploads = $env:AZURE_STORAGE_UPLOADS_CONTAINER
$blobFunction = 'Host.Functions.IngestUploadedBlob'
$eventSubscription = 'uploads-blob-created'
$secretName = if ($env:MEMIC_ADMIN_KEY_SECRET_NAME) { $env:MEMIC_ADMIN_KEY_SECRET_NAME } else { 'memic-admin-key' }

Write-Host "Waiting for the blobs extension key of $appName..."
$blobsKey = ''
for ($attempt = 1; -not $blobsKey; $attempt++) {
    $blobsKey = az functionapp keys list --name $appName --resource-group $resourceGroup `
        --query 'systemKeys.blobs_extension' --subscription $subscription --output tsv 2>$null
    if (-not $blobsKey) {
        if ($attempt -ge 18) { throw 'No blobs_extension key after 3 minutes; check that the app deployed and started.' }
        Start-Sleep -Seconds 10
    }
}

Write-Host "Subscribing $blobFunction to BlobCreated events of the '$uploads' container..."
# create is create-or-update, so re-running the hook refreshes the endpoint and its key.
# The endpoint goes through az's @file syntax: on Windows az is a .cmd script, and cmd.exe would
# split the URL at '&'. The file also keeps the key off the command line.
$endpointFile = [System.IO.Path]::GetTempFileName()
try {
    [System.IO.File]::WriteAllText($endpointFile,
        "$($env:SERVICE_API_URI)/runtime/webhooks/blobs?functionName=$blobFunction&code=$blobsKey")
    # Event Grid validates the webhook with a handshake the host answers; a host still starting fails it, so retry.
    for ($attempt = 1; ; $attempt++) {
        $output = az eventgrid system-topic event-subscription create `
            --name $eventSubscription `
            --resource-group $resourceGroup `
            --system-topic-name $env:AZURE_EVENTGRID_SYSTEM_TOPIC_NAME `
            --endpoint-type webhook `
            --endpoint "@$endpointFile" `
            --included-event-types Microsoft.Storage.BlobCreated `
            --subject-begins-with "/blobServices/default/containers/$uploads/" `
            --subscription $subscription --output none 2>&1
        if ($LASTEXITCODE -eq 0) { break }
        if ($attempt -ge 6) {
            # az's message may quote the endpoint; never print the webhook key.
            throw ("Creating the Event Grid subscription failed (docs/deploy.md, Troubleshooting): " + ("$output" -replace 'code=[^&" ]*', 'code=***'))
        }
        Write-Host 'Event Grid could not validate the webhook yet (the host may still be starting); retrying...'
        Start-Sleep -Seconds 10
    }
}
finally {
    Remove-Item -Force $endpointFile
}

Write-Host ''
Write-Host 'Read the admin key with:'
Write-Host "  az keyvault secret show --vault-name $vaultName --name $secretName --query value --output tsv --subscription $subscription"
Write-Host "API: $($env:SERVICE_API_URI)/api/v1"
