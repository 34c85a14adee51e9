// One Azure AI Search service of the pool environments' indexes are placed on. main.bicep deploys
// the first one through this file; provisioning deploys the compiled form of this same file
// (search-service.json, built from this source at build time) when the pool is full.
targetScope = 'resourceGroup'

@minLength(2)
@maxLength(60)
@description('Globally unique service name: lowercase letters, digits and dashes.')
param name string

param location string = resourceGroup().location

param tags object = {}

@allowed([
  'free'
  'basic'
  'standard'
  'standard2'
  'standard3'
  'storage_optimized_l1'
  'storage_optimized_l2'
])
param sku string = 'basic'

@minValue(1)
@maxValue(12)
param replicaCount int = 1

@allowed([
  1
  2
  3
  4
  6
  12
])
param partitionCount int = 1

@description('`HighDensity` (standard3 only) allows 1000 indexes per partition instead of 200.')
@allowed([
  'Default'
  'HighDensity'
])
param hostingMode string = 'Default'

@description('Semantic ranker plan; `free` has a monthly query allowance, `disabled` turns it off.')
@allowed([
  'disabled'
  'free'
  'standard'
])
param semanticRanker string = 'free'

@description('`disabled` refuses traffic from the internet, so only private endpoints reach the service (private networking).')
@allowed([
  'enabled'
  'disabled'
])
param publicNetworkAccess string = 'enabled'

@description('Principal (the function app\'s identity) that gets index data and service rights; empty grants nothing.')
param principalId string = ''

@description('Indexes this service can hold; 0 derives it from the SKU. Set it where a region\'s limit is lower.')
@minValue(0)
param indexCapacity int = 0

// Maximum indexes per service by SKU (Azure AI Search service limits).
var indexLimits = {
  free: 3
  basic: 15
  standard: 50
  standard2: 200
  standard3: hostingMode == 'HighDensity' ? 1000 * partitionCount : 200
  storage_optimized_l1: 10
  storage_optimized_l2: 10
}

var roles = {
  searchIndexDataContributor: '8ebe5a00-799e-43f5-93ac-243d3dce84a7'
  searchServiceContributor: '7ca78c08-252a-4471-8644-bb5ff32d4ba0'
}

resource search 'Microsoft.Search/searchServices@2025-05-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
  }
  properties: {
    replicaCount: replicaCount
    partitionCount: partitionCount
    hostingMode: hostingMode
    // Entra ID only: admin and query keys are refused, so there is no key to leak.
    disableLocalAuth: true
    semanticSearch: sku == 'free' ? null : semanticRanker
    publicNetworkAccess: publicNetworkAccess
  }
}

module roleAssignments 'modules/role-assignment.bicep' = [
  for role in (empty(principalId) ? [] : items(roles)): {
    name: take('${name}-${role.key}', 64)
    params: {
      targetKind: 'searchService'
      targetName: search.name
      roleDefinitionId: role.value
      principalId: principalId
    }
  }
]

output id string = search.id
output name string = search.name
output endpoint string = search.properties.endpoint
output indexCapacity int = indexCapacity > 0 ? indexCapacity : indexLimits[sku]
