// Azure OpenAI account with one embedding and one chat deployment. Entra-only: local (key)
// auth is off, so the app reaches it through its identity (Cognitive Services OpenAI User).

param name string
param location string
param tags object

param embeddingDeploymentName string
param embeddingModelName string
param embeddingModelVersion string
param embeddingSkuName string
@description('Thousands of tokens per minute.')
param embeddingCapacity int

param chatDeploymentName string
param chatModelName string
param chatModelVersion string
param chatSkuName string
@description('Thousands of tokens per minute.')
param chatCapacity int

resource account 'Microsoft.CognitiveServices/accounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'OpenAI'
  sku: {
    name: 'S0'
  }
  properties: {
    // A custom subdomain is what makes Entra token auth possible.
    customSubDomainName: name
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource embedding 'Microsoft.CognitiveServices/accounts/deployments@2025-06-01' = {
  parent: account
  name: embeddingDeploymentName
  sku: {
    name: embeddingSkuName
    capacity: embeddingCapacity
  }
  properties: {
    model: {
      format: 'OpenAI'
      name: embeddingModelName
      version: embeddingModelVersion
    }
  }
}

resource chat 'Microsoft.CognitiveServices/accounts/deployments@2025-06-01' = {
  parent: account
  name: chatDeploymentName
  sku: {
    name: chatSkuName
    capacity: chatCapacity
  }
  properties: {
    model: {
      format: 'OpenAI'
      name: chatModelName
      version: chatModelVersion
    }
  }
  // The service refuses concurrent deployment changes on one account.
  dependsOn: [
    embedding
  ]
}

output name string = account.name
output endpoint string = account.properties.endpoint
output embeddingDeploymentName string = embedding.name
output chatDeploymentName string = chat.name
