// The one storage account: Functions host storage, the Flex Consumption deployment package,
// uploaded documents (`uploads`) and the catalog tables. Identity-only: shared keys are off.

param name string
param location string
param tags object

@description('Container uploaded documents land in, at <environment_id>/<file_id>.')
param uploadsContainerName string

@description('Container Flex Consumption deploys the app package to.')
param deploymentContainerName string

@description('Containers the Functions host keeps its own state in (leases, blob receipts, keys).')
param hostContainerNames string[]

@description('Name of the Event Grid system topic that publishes this account\'s blob events.')
param systemTopicName string

@description('Refuse traffic from the internet: only private endpoints reach the account (private networking).')
param privateOnly bool = false

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
])
param skuName string = 'Standard_LRS'

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: privateOnly ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: privateOnly ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = [
  for container in concat([uploadsContainerName, deploymentContainerName], hostContainerNames): {
    parent: blobService
    name: container
    properties: {
      publicAccess: 'None'
    }
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

// Host storage keeps its blob-trigger poison queue here.
resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

// Flex Consumption supports only the Event Grid flavour of the blob trigger; the subscription
// that points this topic at the function's webhook is created after deploy (infra/hooks), once
// the blobs extension key exists.
resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: systemTopicName
  location: location
  tags: tags
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output name string = storage.name
output id string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
output systemTopicName string = systemTopic.name
