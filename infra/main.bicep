// Memic on Azure: everything `azd up` provisions for one deployment of the API.
// Local modules only (no registry modules), so `bicep build` and `bicep lint` run offline.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and seeds every resource name.')
param environmentName string

// Regions that offer the Flex Consumption plan (`az functionapp list-flexconsumption-locations`); a region outside
// this list fails at the plan, after everything else was created, so it is refused up front.
@minLength(1)
@description('Primary location for all resources; the Function App\'s Flex Consumption plan must be offered there.')
@allowed([
  'australiaeast'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'northcentralus'
  'northeurope'
  'southcentralus'
  'southeastasia'
  'swedencentral'
  'uksouth'
  'westcentralus'
  'westeurope'
  'westus2'
])
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the principal running `azd up` (azd passes it); it may read and write the admin key. Empty grants nothing.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

// Search: the first service of the pool (more are added by deploying search-service.bicep).
@allowed([
  'free'
  'basic'
  'standard'
  'standard2'
  'standard3'
  'storage_optimized_l1'
  'storage_optimized_l2'
])
param searchSku string = 'basic'

@minValue(1)
@maxValue(12)
param searchReplicaCount int = 1

@allowed([
  1
  2
  3
  4
  6
  12
])
param searchPartitionCount int = 1

@allowed([
  'disabled'
  'free'
  'standard'
])
param searchSemanticRanker string = 'free'

// Azure OpenAI: without it, embeddings come from an external OpenAI-compatible endpoint (the
// Functions app ships no local model) and answers stay extractive.
param deployOpenAi bool = true

@description('Azure OpenAI region when it differs from `location` (models are not offered everywhere); empty means `location`.')
param openAiLocation string = ''

@description('The embedding model. On Azure OpenAI the deployment is named after it, and the app picks its relevance calibration from that name, so keep the model family (e.g. text-embedding-3) in it.')
param embeddingModelName string = 'text-embedding-3-small'
@description('Vector length; 0 means the model\'s native length (known for OpenAI\'s models, required for any other).')
@minValue(0)
param embeddingDimensions int = 0
param embeddingModelVersion string = '1'
@description('`GlobalStandard` is offered in most regions; regional `Standard` text-embedding-3 deployments exist in only a few.')
param embeddingDeploymentSku string = 'GlobalStandard'
@description('Thousands of tokens per minute.')
param embeddingCapacity int = 30

@description('Without Azure OpenAI: base URL of an OpenAI-compatible embeddings API, e.g. https://api.openai.com/v1. Required when deployOpenAi is false.')
param embeddingEndpoint string = ''
@description('Without Azure OpenAI: whether the endpoint needs an API key. The key is read from the Key Vault secret memic-embeddings-api-key, which you create; it is never a parameter.')
param embeddingEndpointNeedsKey bool = true
@description('Without Azure OpenAI: client-side tokens-per-minute budget for the endpoint; 0 means none (its 429s are the only brake).')
@minValue(0)
param embeddingTokensPerMinute int = 0

@description('Deploy a chat model for generated answers; without it answers stay extractive.')
param deployChat bool = true
// gpt-4o-mini 2024-07-18 was retired on 2026-10-01; gpt-5.4-mini 2026-03-17 is a current GA model on GlobalStandard.
param chatModelName string = 'gpt-5.4-mini'
param chatModelVersion string = '2026-03-17'
param chatDeploymentSku string = 'GlobalStandard'
@description('Thousands of tokens per minute.')
param chatCapacity int = 30

@description('Key Vault purge protection: irreversible, and holds the vault name for the retention period after `azd down`.')
param keyVaultPurgeProtection bool = false

@description('Private networking: the Function App joins a virtual network and reaches Storage, Key Vault, Search and Azure OpenAI through private endpoints, whose public access is then off.')
param vnetEnabled bool = false

@description('Address space of the virtual network when vnetEnabled.')
param vnetAddressPrefix string = '10.40.0.0/16'
@description('Subnet the Function App integrates with (a /24 leaves room for Flex Consumption to scale out).')
param vnetAppSubnetPrefix string = '10.40.0.0/24'
param vnetPrivateEndpointSubnetPrefix string = '10.40.1.0/24'
@description('With vnetEnabled: the public IP address of the machine running `azd up`, let through the Key Vault firewall so the postprovision hook can write the admin key. Empty: run the hooks from inside the network.')
param deployerIpAddress string = ''

@minValue(40)
@maxValue(1000)
param functionMaximumInstanceCount int = 100

@allowed([
  512
  2048
  4096
])
param functionInstanceMemoryMB int = 2048

@description('Largest file an upload may carry, in bytes (CONTRACT §3: 100 MB by default).')
@minValue(1)
param maxUploadBytes int = 104857600

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}

var names = {
  identity: 'id-${resourceToken}'
  logAnalytics: 'log-${resourceToken}'
  applicationInsights: 'appi-${resourceToken}'
  storage: 'st${resourceToken}'
  systemTopic: 'evgt-${resourceToken}'
  keyVault: 'kv-${resourceToken}'
  search: 'srch-${resourceToken}'
  openAi: 'oai-${resourceToken}'
  plan: 'plan-${resourceToken}'
  functionApp: 'func-${resourceToken}'
  vnet: 'vnet-${resourceToken}'
}

var uploadsContainerName = 'uploads'
var deploymentContainerName = 'app-package-${resourceToken}'
// Where the Functions host keeps leases, blob-trigger receipts and its keys.
var hostContainerNames = [
  'azure-webjobs-hosts'
  'azure-webjobs-secrets'
]
var adminKeySecretName = 'memic-admin-key'
var embeddingApiKeySecretName = 'memic-embeddings-api-key'

// Native vector lengths of the models whose length need not be given.
var nativeEmbeddingDimensions = {
  'text-embedding-3-small': 1536
  'text-embedding-3-large': 3072
  'text-embedding-ada-002': 1536
}
var embeddingVectorLength = embeddingDimensions > 0
  ? embeddingDimensions
  : nativeEmbeddingDimensions[?embeddingModelName] ?? fail('Set embeddingDimensions (MEMIC_EMBEDDING_DIMENSIONS): the vector length of ${embeddingModelName} is not known.')

var roles = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  cognitiveServicesOpenAiUser: '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  searchServiceContributor: '7ca78c08-252a-4471-8644-bb5ff32d4ba0'
  searchIndexDataContributor: '8ebe5a00-799e-43f5-93ac-243d3dce84a7'
}

// Every grant is on one resource, except the two search roles, which are on the resource group: the
// app deploys more search services there at run time (ArmSearchServiceDeployer) and must manage and
// fill their indexes without being able to create role assignments itself. Search Service
// Contributor already carries Microsoft.Resources/deployments/* and Microsoft.Search/searchServices/*,
// exactly what deploying search-service.bicep needs, so no custom role is added. Nothing is granted
// on the subscription.
var grants = concat(
  [
    // App data (uploads, the deployment package) needs only Contributor.
    { kind: 'storageAccount', target: names.storage, role: roles.storageBlobDataContributor, principal: 'app' }
    // Catalog tables, plus the host's own tables.
    { kind: 'storageAccount', target: names.storage, role: roles.storageTableDataContributor, principal: 'app' }
    // Host storage queues (blob trigger poison queue).
    { kind: 'storageAccount', target: names.storage, role: roles.storageQueueDataContributor, principal: 'app' }
    // API key records are created and deleted by the app, so it needs Officer, not just User.
    { kind: 'keyVault', target: names.keyVault, role: roles.keyVaultSecretsOfficer, principal: 'app' }
    // Telemetry ingestion with an Entra token (Application Insights has local auth off).
    { kind: 'applicationInsights', target: names.applicationInsights, role: roles.monitoringMetricsPublisher, principal: 'app' }
    // Every search service of the pool, present and future: deploy them, manage their indexes, ...
    { kind: 'resourceGroup', target: rg.name, role: roles.searchServiceContributor, principal: 'app' }
    // ... and read and write their documents.
    { kind: 'resourceGroup', target: rg.name, role: roles.searchIndexDataContributor, principal: 'app' }
  ],
  // Blob Data Owner is the role Functions documents for host storage; it is confined to the
  // host's own containers so that app data stays at Contributor.
  map(hostContainerNames, container => {
    kind: 'blobContainer'
    target: '${names.storage}/${container}'
    role: roles.storageBlobDataOwner
    principal: 'app'
  }),
  deployOpenAi
    ? [{ kind: 'cognitiveServices', target: names.openAi, role: roles.cognitiveServicesOpenAiUser, principal: 'app' }]
    : [],
  // The deploying principal writes the admin key once (postdeploy hook) and reads it back.
  empty(principalId)
    ? []
    : [{ kind: 'keyVault', target: names.keyVault, role: roles.keyVaultSecretsOfficer, principal: 'deployer' }]
)

resource rg 'Microsoft.Resources/resourceGroups@2024-11-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  name: 'identity'
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  name: 'monitoring'
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
  }
}

// Search latency, ingestion throughput and failures per environment, from the app's OpenTelemetry (docs/telemetry.md).
module workbook 'modules/workbook.bicep' = {
  scope: rg
  name: 'workbook'
  params: {
    name: guid(subscription().id, rg.name, 'memic-workbook')
    displayName: 'Memic: search and ingestion (${environmentName})'
    location: location
    tags: tags
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module storage 'modules/storage.bicep' = {
  scope: rg
  name: 'storage'
  params: {
    name: names.storage
    location: location
    tags: tags
    uploadsContainerName: uploadsContainerName
    deploymentContainerName: deploymentContainerName
    hostContainerNames: hostContainerNames
    systemTopicName: names.systemTopic
    privateOnly: vnetEnabled
  }
}

module keyVault 'modules/key-vault.bicep' = {
  scope: rg
  name: 'key-vault'
  params: {
    name: names.keyVault
    location: location
    tags: tags
    enablePurgeProtection: keyVaultPurgeProtection
    privateOnly: vnetEnabled
    allowedIpAddress: deployerIpAddress
  }
}

module search 'search-service.bicep' = {
  scope: rg
  name: 'search-service'
  params: {
    name: names.search
    location: location
    tags: tags
    sku: searchSku
    replicaCount: searchReplicaCount
    partitionCount: searchPartitionCount
    semanticRanker: searchSemanticRanker
    publicNetworkAccess: vnetEnabled ? 'disabled' : 'enabled'
    // No principalId: the app's search roles are granted on the resource group (see grants).
  }
}

module openAi 'modules/openai.bicep' = if (deployOpenAi) {
  scope: rg
  name: 'openai'
  params: {
    name: names.openAi
    location: empty(openAiLocation) ? location : openAiLocation
    tags: tags
    embeddingDeploymentName: embeddingModelName
    embeddingModelName: embeddingModelName
    embeddingModelVersion: embeddingModelVersion
    embeddingSkuName: embeddingDeploymentSku
    embeddingCapacity: embeddingCapacity
    privateOnly: vnetEnabled
    deployChat: deployChat
    chatDeploymentName: chatModelName
    chatModelName: chatModelName
    chatModelVersion: chatModelVersion
    chatSkuName: chatDeploymentSku
    chatCapacity: chatCapacity
  }
}

// The Functions host refuses bodies over FUNCTIONS_REQUEST_BODY_SIZE_LIMIT (104,857,600 by default) before the app
// sees them. POST /files lets a multipart body be the file limit plus 1 MiB of parts and boundaries
// (src/Memic.Http/Endpoints/FileEndpoints.cs), so the host allows as much and the app answers 413 itself.
var multipartOverheadBytes = 1048576

var memicSettings = union(
  {
    FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: string(maxUploadBytes + multipartOverheadBytes)
    Memic__Uploads__MaxFileBytes: string(maxUploadBytes)
    Memic__Blobs__Provider: 'AzureBlob'
    Memic__Blobs__ServiceUri: storage.outputs.blobEndpoint
    Memic__Catalog__Provider: 'AzureTable'
    Memic__Catalog__ServiceUri: storage.outputs.tableEndpoint
    Memic__Ingestion__MaxConcurrentPerEnvironment: '4'
    Memic__Keys__Provider: 'KeyVault'
    Memic__Keys__VaultUri: keyVault.outputs.uri
    // Connectors reach customers' databases at public addresses only: never this deployment's own network.
    Memic__Connectors__AllowPrivateNetworks: 'false'
    // Each upload is parsed in a worker process that is killed past these limits (an FC1 instance has 2 GB).
    Memic__Extraction__MaxMemoryMB: '1024'
    Memic__Extraction__Timeout: '00:02:00'
    Memic__Search__Provider: 'AzureAISearch'
    Memic__Search__Services__0__Name: search.outputs.name
    Memic__Search__Services__0__Endpoint: search.outputs.endpoint
    Memic__Search__Services__0__IndexCapacity: string(search.outputs.indexCapacity)
    Memic__Search__Services__0__SearchUnits: string(searchReplicaCount * searchPartitionCount)
    // Services the pool grows by are the same size as the first, named after it.
    Memic__Search__GrowthIndexCapacity: string(search.outputs.indexCapacity)
    Memic__Search__GrowthSearchUnits: string(searchReplicaCount * searchPartitionCount)
    Memic__Search__GrowthNamePrefix: '${names.search}-'
    // The free tier has no semantic ranker; elsewhere it is on unless the plan is disabled.
    Memic__Search__SemanticRanker: string(searchSku != 'free' && searchSemanticRanker != 'disabled')
    // Where and how the app deploys another search service when the pool is full.
    Memic__Search__Deployment__ArmEndpoint: environment().resourceManager
    Memic__Search__Deployment__SubscriptionId: subscription().subscriptionId
    Memic__Search__Deployment__ResourceGroup: rg.name
    Memic__Search__Deployment__Location: location
    Memic__Search__Deployment__Sku: searchSku
    Memic__Search__Deployment__ReplicaCount: string(searchReplicaCount)
    Memic__Search__Deployment__PartitionCount: string(searchPartitionCount)
    Memic__Search__Deployment__SemanticRanker: searchSemanticRanker
    Memic__Search__Deployment__AzdEnvironmentName: environmentName
    // Resolved by App Service with the app's identity; the postdeploy hook creates the secret.
    MEMIC_ADMIN_KEY: '@Microsoft.KeyVault(VaultName=${names.keyVault};SecretName=${adminKeySecretName})'
  },
  deployOpenAi
    ? {
        Memic__Embeddings__Provider: 'AzureOpenAI'
        Memic__Embeddings__Endpoint: openAi!.outputs.endpoint
        // The deployment name is the model name, which the relevance calibration recognises.
        Memic__Embeddings__Model: openAi!.outputs.embeddingDeploymentName
        Memic__Embeddings__Dimensions: string(embeddingVectorLength)
        // Azure OpenAI capacity is counted in units of 1,000 tokens per minute.
        Memic__Embeddings__TokensPerMinute: string(embeddingCapacity * 1000)
      }
    : {},
  deployOpenAi && deployChat
    ? {
        Memic__Chat__Provider: 'AzureOpenAI'
        Memic__Chat__Endpoint: openAi!.outputs.endpoint
        Memic__Chat__Model: openAi!.outputs.chatDeploymentName
      }
    : deployOpenAi
        ? { Memic__Chat__Provider: 'None' }
        : {},
  deployOpenAi
    ? {}
    : !empty(embeddingEndpoint)
        ? union(
            {
              Memic__Embeddings__Provider: 'OpenAI'
              Memic__Embeddings__Endpoint: embeddingEndpoint
              Memic__Embeddings__Model: embeddingModelName
              Memic__Embeddings__Dimensions: string(embeddingVectorLength)
              Memic__Embeddings__TokensPerMinute: string(embeddingTokensPerMinute)
              Memic__Chat__Provider: 'None'
            },
            // Resolved by App Service with the app's identity, so the key lives only in the vault.
            embeddingEndpointNeedsKey
              ? {
                  Memic__Embeddings__ApiKey: '@Microsoft.KeyVault(VaultName=${names.keyVault};SecretName=${embeddingApiKeySecretName})'
                }
              : {}
          )
        // The Functions app has no local model, so it would refuse to start without an endpoint.
        : fail('deployOpenAi is false, so embeddingEndpoint (MEMIC_EMBEDDING_ENDPOINT) must name an OpenAI-compatible embeddings API, e.g. https://api.openai.com/v1.')
)

module functionApp 'modules/function-app.bicep' = {
  scope: rg
  name: 'function-app'
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appSettings: memicSettings
    maximumInstanceCount: functionMaximumInstanceCount
    instanceMemoryMB: functionInstanceMemoryMB
    virtualNetworkSubnetId: vnetEnabled ? network!.outputs.appSubnetId : ''
  }
  // The host starts as soon as the app exists; its storage and vault roles (and, with private networking,
  // the endpoints it reaches them through) must already be there.
  dependsOn: [
    roleAssignments
    privateEndpoints
  ]
}

// Private networking: one endpoint per service (three for Storage: the app and the host use blobs, queues
// and tables), each in the private DNS zone its host name resolves through inside the network.
var privateLinks = !vnetEnabled
  ? []
  : concat(
      map(['blob', 'queue', 'table'], service => {
        name: service
        type: 'Microsoft.Storage/storageAccounts'
        target: names.storage
        groupId: service
        zone: 'privatelink.${service}.${environment().suffixes.storage}'
      }),
      [
        {
          name: 'vault'
          type: 'Microsoft.KeyVault/vaults'
          target: names.keyVault
          groupId: 'vault'
          zone: 'privatelink.vaultcore.azure.net'
        }
        {
          name: 'search'
          type: 'Microsoft.Search/searchServices'
          target: names.search
          groupId: 'searchService'
          zone: 'privatelink.search.windows.net'
        }
      ],
      deployOpenAi
        ? [
            {
              name: 'openai'
              type: 'Microsoft.CognitiveServices/accounts'
              target: names.openAi
              groupId: 'account'
              zone: 'privatelink.openai.azure.com'
            }
          ]
        : []
    )

module network 'modules/network.bicep' = if (vnetEnabled) {
  scope: rg
  name: 'network'
  params: {
    name: names.vnet
    location: location
    tags: tags
    addressPrefix: vnetAddressPrefix
    appSubnetPrefix: vnetAppSubnetPrefix
    privateEndpointSubnetPrefix: vnetPrivateEndpointSubnetPrefix
    privateDnsZoneNames: map(privateLinks, link => link.zone)
  }
}

module privateEndpoints 'modules/private-endpoint.bicep' = [
  for link in privateLinks: {
    scope: rg
    name: 'pe-${link.name}'
    params: {
      name: 'pe-${link.name}-${resourceToken}'
      location: location
      tags: tags
      subnetId: network!.outputs.privateEndpointSubnetId
      targetResourceId: '${rg.id}/providers/${link.type}/${link.target}'
      groupId: link.groupId
      privateDnsZoneName: link.zone
    }
    dependsOn: [
      storage
      keyVault
      search
      openAi
    ]
  }
]

module roleAssignments 'modules/role-assignment.bicep' = [
  for (grant, i) in grants: {
    scope: rg
    name: 'role-${i}'
    params: {
      targetKind: grant.kind
      targetName: grant.target
      roleDefinitionId: grant.role
      principalId: grant.principal == 'deployer' ? principalId : identity.outputs.principalId
      principalType: grant.principal == 'deployer' ? principalType : 'ServicePrincipal'
    }
    // Targets are named from variables, so the dependency on their modules is explicit.
    dependsOn: [
      storage
      keyVault
      monitoring
      openAi
    ]
  }
]

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_PRINCIPAL_ID string = identity.outputs.principalId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_UPLOADS_CONTAINER string = uploadsContainerName
output AZURE_EVENTGRID_SYSTEM_TOPIC_NAME string = storage.outputs.systemTopicName
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_URI string = keyVault.outputs.uri
output AZURE_SEARCH_SERVICE_NAME string = search.outputs.name
output AZURE_SEARCH_ENDPOINT string = search.outputs.endpoint
output AZURE_OPENAI_ENDPOINT string = deployOpenAi ? openAi!.outputs.endpoint : ''
output MEMIC_ADMIN_KEY_SECRET_NAME string = adminKeySecretName
output MEMIC_EMBEDDING_API_KEY_SECRET_NAME string = embeddingApiKeySecretName
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
// The Functions app serves the dashboard itself at its root (docs/dashboard.md): one origin for the page and the API.
output MEMIC_DASHBOARD_URL string = '${functionApp.outputs.uri}/'
