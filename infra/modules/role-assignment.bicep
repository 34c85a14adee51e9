// Grants one built-in role to one principal on one resource, or on the resource group this module
// is deployed to. Bicep can only scope a role assignment to a typed resource reference, so each
// supported kind of target has its own conditional `existing` reference; exactly one of them is
// used per call.

@description('Kinds of resource a role can be granted on.')
type resourceKind =
  | 'storageAccount'
  | 'blobContainer'
  | 'keyVault'
  | 'searchService'
  | 'cognitiveServices'
  | 'applicationInsights'
  | 'resourceGroup'

@description('Kind of the target resource.')
param targetKind resourceKind

@description('Name of the target resource in this resource group; `<account>/<container>` for a blob container; for `resourceGroup`, the resource group this module is deployed to (informational).')
param targetName string

@description('GUID of the built-in role definition.')
param roleDefinitionId string

param principalId string

@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param principalType string = 'ServicePrincipal'

var roleId = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionId)
var nameParts = split(targetName, '/')

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = if (targetKind == 'storageAccount' || targetKind == 'blobContainer') {
  name: nameParts[0]
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' existing = if (targetKind == 'blobContainer') {
  parent: storage
  name: 'default'
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' existing = if (targetKind == 'blobContainer') {
  parent: blobService
  name: last(nameParts)
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = if (targetKind == 'keyVault') {
  name: targetName
}

resource search 'Microsoft.Search/searchServices@2025-05-01' existing = if (targetKind == 'searchService') {
  name: targetName
}

resource cognitive 'Microsoft.CognitiveServices/accounts@2025-06-01' existing = if (targetKind == 'cognitiveServices') {
  name: targetName
}

resource insights 'Microsoft.Insights/components@2020-02-02' existing = if (targetKind == 'applicationInsights') {
  name: targetName
}

var properties = {
  roleDefinitionId: roleId
  principalId: principalId
  principalType: principalType
}

resource onStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (targetKind == 'storageAccount') {
  scope: storage
  name: guid(storage.id, principalId, roleId)
  properties: properties
}

resource onContainer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (targetKind == 'blobContainer') {
  scope: container
  name: guid(container.id, principalId, roleId)
  properties: properties
}

resource onVault 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (targetKind == 'keyVault') {
  scope: vault
  name: guid(vault.id, principalId, roleId)
  properties: properties
}

resource onSearch 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (targetKind == 'searchService') {
  scope: search
  name: guid(search.id, principalId, roleId)
  properties: properties
}

resource onCognitive 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (targetKind == 'cognitiveServices') {
  scope: cognitive
  name: guid(cognitive.id, principalId, roleId)
  properties: properties
}

resource onInsights 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (targetKind == 'applicationInsights') {
  scope: insights
  name: guid(insights.id, principalId, roleId)
  properties: properties
}

// Resource-group scope is for grants that must also cover resources created later (search services
// added to the pool at run time), which no per-resource assignment can name in advance.
resource onResourceGroup 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (targetKind == 'resourceGroup') {
  name: guid(resourceGroup().id, principalId, roleId)
  properties: properties
}
