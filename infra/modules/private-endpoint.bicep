// One private endpoint for one sub-resource of a service (e.g. a storage account's `blob`), registered
// in the private DNS zone that resolves the service's host name inside the network.

param name string
param location string
param tags object

param subnetId string
param targetResourceId string
@description('Sub-resource the endpoint reaches: blob, queue, table, vault, searchService or account.')
param groupId string
param privateDnsZoneName string

resource zone 'Microsoft.Network/privateDnsZones@2024-06-01' existing = {
  name: privateDnsZoneName
}

resource endpoint 'Microsoft.Network/privateEndpoints@2024-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    subnet: {
      id: subnetId
    }
    privateLinkServiceConnections: [
      {
        name: name
        properties: {
          privateLinkServiceId: targetResourceId
          groupIds: [
            groupId
          ]
        }
      }
    ]
  }
}

resource dnsGroup 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-07-01' = {
  parent: endpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: 'zone'
        properties: {
          privateDnsZoneId: zone.id
        }
      }
    ]
  }
}
