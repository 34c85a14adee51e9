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

@description('Refuse traffic from the internet: only the private endpoint reaches the account (private networking).')
param privateOnly bool = false

@description('Deploy the chat model; without it the app\'s answers stay extractive.')
param deployChat bool = true

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
    publicNetworkAccess: privateOnly ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: privateOnly ? 'Deny' : 'Allow'
    }
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

resource chat 'Microsoft.CognitiveServices/accounts/deployments@2025-06-01' = if (deployChat) {
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

output id string = account.id
output name string = account.name
output endpoint string = account.properties.endpoint
output embeddingDeploymentName string = embedding.name
output chatDeploymentName string = deployChat ? chat.name : ''
