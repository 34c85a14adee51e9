// Key Vault for API key records (`apikey-<sha256>`) and the admin key (`memic-admin-key`).
// Access is Azure RBAC only; there are no access policies to drift.

param name string
param location string
param tags object

@description('Turn on purge protection. It cannot be turned off again, and it keeps the vault name taken for the retention period after `azd down`.')
param enablePurgeProtection bool = false

@description('Refuse traffic from the internet: only the private endpoint reaches the vault (private networking).')
param privateOnly bool = false

@description('With privateOnly: one public address (the machine running `azd up`) still let in, so the postprovision hook can write the admin key; empty lets none in.')
param allowedIpAddress string = ''

@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 7

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    // The service rejects `false` here, so "off" is expressed by leaving the property out.
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: privateOnly && empty(allowedIpAddress) ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: privateOnly ? 'Deny' : 'Allow'
      ipRules: privateOnly && !empty(allowedIpAddress) ? [{ value: allowedIpAddress }] : []
      // App Service resolves the app's Key Vault references as a trusted service.
      bypass: 'AzureServices'
    }
  }
}

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
