# azd postprovision hook (Windows, PowerShell 7). Same steps as postprovision.sh: runs after
# infra/main.bicep is deployed and before the code is (the Key Vault exists, the app does not run
# yet), and creates the admin key here, once, straight into Key Vault, so that the MEMIC_ADMIN_KEY
# Key Vault reference resolves the first time the deployed code starts.
# azd passes the Bicep outputs (AZURE_*) as environment variables.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

foreach ($name in 'AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP', 'AZURE_FUNCTION_APP_NAME', 'AZURE_KEY_VAULT_NAME') {
    if (-not [Environment]::GetEnvironmentVariable($name)) {
        throw "$name is not set; run this through azd (azd up or azd provision)."
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
$secretName = if ($env:MEMIC_ADMIN_KEY_SECRET_NAME) { $env:MEMIC_ADMIN_KEY_SECRET_NAME } else { 'memic-admin-key' }

# Tell "no such secret" apart from "no access yet": new role assignments can take minutes to apply.
$exists = $null
for ($attempt = 1; $null -eq $exists; $attempt++) {
    $output = az keyvault secret show --vault-name $vaultName --name $secretName --query id --subscription $subscription --output tsv 2>&1
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
            --encoding utf-8 --content-type 'text/plain' --subscription $subscription --output none
        if ($LASTEXITCODE -ne 0) { throw 'Storing the admin key in Key Vault failed.' }
    }
    finally {
        Remove-Item -Force $keyFile
        Remove-Variable adminKey
    }

    # MEMIC_ADMIN_KEY is a Key Vault reference. App Service may have tried it (and failed) when the
    # provision created the setting; writing the setting again makes it resolve now instead of at its
    # next periodic refresh. It goes in a JSON file because az
    # would read a KEY=@value argument as "load value from a file".
    $settingsFile = [System.IO.Path]::GetTempFileName()
    try {
        ConvertTo-Json -InputObject @(@{
                name        = 'MEMIC_ADMIN_KEY'
                value       = "@Microsoft.KeyVault(VaultName=$vaultName;SecretName=$secretName)"
                slotSetting = $false
            }) | Set-Content -Path $settingsFile -Encoding utf8NoBOM
        az functionapp config appsettings set --name $appName --resource-group $resourceGroup `
            --settings "@$settingsFile" --subscription $subscription --output none
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

Write-Host 'Read the admin key with:'
Write-Host "  az keyvault secret show --vault-name $vaultName --name $secretName --query value --output tsv --subscription $subscription"
