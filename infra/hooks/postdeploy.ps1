# azd postdeploy hook (Windows, PowerShell 7). Same steps as postdeploy.sh:
#  1. Flex Consumption runs the blob trigger only through Event Grid, and the webhook's key
#     (blobs_extension) exists only once the host has loaded the deployed functions. So the
#     BlobCreated subscription on `uploads` is created here, not in Bicep.
#  2. The admin key is created once, straight into Key Vault, so it never passes through azd's
#     environment files or deployment history.
# azd passes the Bicep outputs (AZURE_*, SERVICE_API_*) as environment variables.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

foreach ($name in 'AZURE_RESOURCE_GROUP', 'AZURE_FUNCTION_APP_NAME', 'AZURE_EVENTGRID_SYSTEM_TOPIC_NAME',
    'AZURE_STORAGE_UPLOADS_CONTAINER', 'AZURE_KEY_VAULT_NAME', 'SERVICE_API_URI') {
    if (-not [Environment]::GetEnvironmentVariable($name)) {
        throw "$name is not set; run this through azd (azd up or azd deploy) after azd provision."
    }
}
if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
    throw 'The Azure CLI (az) is required for this hook.'
}

$resourceGroup = $env:AZURE_RESOURCE_GROUP
$appName = $env:AZURE_FUNCTION_APP_NAME
$vaultName = $env:AZURE_KEY_VAULT_NAME
$uploads = $env:AZURE_STORAGE_UPLOADS_CONTAINER
$blobFunction = 'Host.Functions.IngestUploadedBlob'
$eventSubscription = 'uploads-blob-created'
$secretName = if ($env:MEMIC_ADMIN_KEY_SECRET_NAME) { $env:MEMIC_ADMIN_KEY_SECRET_NAME } else { 'memic-admin-key' }

# --- 1. Event Grid subscription for the blob trigger ---------------------------------------

Write-Host "Waiting for the blobs extension key of $appName..."
$blobsKey = ''
for ($attempt = 1; -not $blobsKey; $attempt++) {
    $blobsKey = az functionapp keys list --name $appName --resource-group $resourceGroup `
        --query 'systemKeys.blobs_extension' --output tsv 2>$null
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
    az eventgrid system-topic event-subscription create `
        --name $eventSubscription `
        --resource-group $resourceGroup `
        --system-topic-name $env:AZURE_EVENTGRID_SYSTEM_TOPIC_NAME `
        --endpoint-type webhook `
        --endpoint "@$endpointFile" `
        --included-event-types Microsoft.Storage.BlobCreated `
        --subject-begins-with "/blobServices/default/containers/$uploads/" `
        --output none
    if ($LASTEXITCODE -ne 0) { throw 'Creating the Event Grid subscription failed.' }
}
finally {
    Remove-Item -Force $endpointFile
}

# --- 2. Admin key in Key Vault --------------------------------------------------------------

# Tell "no such secret" apart from "no access yet": new role assignments can take minutes to apply.
$exists = $null
for ($attempt = 1; $null -eq $exists; $attempt++) {
    $output = az keyvault secret show --vault-name $vaultName --name $secretName --query id --output tsv 2>&1
    if ($LASTEXITCODE -eq 0) {
        $exists = $true
    }
    elseif ("$output" -match 'SecretNotFound') {
        $exists = $false
    }
    elseif ($attempt -ge 18) {
        throw "Cannot read Key Vault ${vaultName}: $output"
    }
    else {
        Write-Host 'Key Vault not readable yet (role assignments can take a few minutes); retrying...'
        Start-Sleep -Seconds 10
    }
}

if (-not $exists) {
    # mk_admin_ + 32 random bytes, base64url without padding (like API keys, CONTRACT §1).
    $bytes = [System.Security.Cryptography.RandomNumberGenerator]::GetBytes(32)
    $adminKey = 'mk_admin_' + [Convert]::ToBase64String($bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_')
    # Passed through a file, not the command line, so it never shows in the process list.
    $keyFile = [System.IO.Path]::GetTempFileName()
    try {
        [System.IO.File]::WriteAllText($keyFile, $adminKey)
        az keyvault secret set --vault-name $vaultName --name $secretName --file $keyFile `
            --encoding utf-8 --content-type 'text/plain' --output none
        if ($LASTEXITCODE -ne 0) { throw 'Storing the admin key in Key Vault failed.' }
    }
    finally {
        Remove-Item -Force $keyFile
        Remove-Variable adminKey
    }

    # MEMIC_ADMIN_KEY is a Key Vault reference; writing the setting again makes App Service
    # resolve it now instead of at its next periodic refresh. It goes in a JSON file because az
    # would read a KEY=@value argument as "load value from a file".
    $settingsFile = [System.IO.Path]::GetTempFileName()
    try {
        ConvertTo-Json -InputObject @(@{
                name        = 'MEMIC_ADMIN_KEY'
                value       = "@Microsoft.KeyVault(VaultName=$vaultName;SecretName=$secretName)"
                slotSetting = $false
            }) | Set-Content -Path $settingsFile -Encoding utf8NoBOM
        az functionapp config appsettings set --name $appName --resource-group $resourceGroup `
            --settings "@$settingsFile" --output none
        if ($LASTEXITCODE -ne 0) { throw 'Refreshing the MEMIC_ADMIN_KEY setting failed.' }
    }
    finally {
        Remove-Item -Force $settingsFile
    }
    Write-Host "Created the admin key in Key Vault $vaultName (secret $secretName)."
}
else {
    Write-Host "The admin key already exists in Key Vault $vaultName (secret $secretName); left unchanged."
}

Write-Host ''
Write-Host 'Read the admin key with:'
Write-Host "  az keyvault secret show --vault-name $vaultName --name $secretName --query value --output tsv"
Write-Host "API: $($env:SERVICE_API_URI)/api/v1"
