// Azure Monitor workbook over the app's OpenTelemetry (names from src/Memic.Core/Telemetry/MemicTelemetry.cs): search
// latency p50/p99 from the `memic.search` spans, ingestion throughput and failures from the `memic.ingestion.*` metrics,
// each per environment (the `memic.environment_id` dimension). Spans arrive as App Insights dependencies (in-process),
// metrics as customMetrics.

param name string
param displayName string
param location string
param tags object
param applicationInsightsName string

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

var environmentDimension = 'tostring(customDimensions["memic.environment_id"])'

var queries = {
  searchLatencyByEnvironment: 'dependencies | where name == "memic.search" | extend environment = ${environmentDimension} | summarize searches = count(), p50_ms = round(percentile(duration, 50), 1), p99_ms = round(percentile(duration, 99), 1), failed = countif(success == false) by environment | order by searches desc'
  searchLatencyOverTime: 'dependencies | where name == "memic.search" | summarize p50_ms = percentile(duration, 50), p99_ms = percentile(duration, 99) by bin(timestamp, {TimeRange:grain})'
  ingestionThroughputByEnvironment: 'customMetrics | where name in ("memic.ingestion.files", "memic.ingestion.bytes", "memic.ingestion.chunks") | extend environment = ${environmentDimension}, outcome = tostring(customDimensions["memic.outcome"]) | summarize files_ready = sumif(valueSum, name == "memic.ingestion.files" and outcome == "succeeded"), files_failed = sumif(valueSum, name == "memic.ingestion.files" and outcome == "failed"), bytes = sumif(valueSum, name == "memic.ingestion.bytes"), chunks = sumif(valueSum, name == "memic.ingestion.chunks") by environment | order by files_ready desc'
  ingestionThroughputOverTime: 'customMetrics | where name == "memic.ingestion.files" | extend outcome = tostring(customDimensions["memic.outcome"]) | summarize files = sum(valueSum) by outcome, bin(timestamp, {TimeRange:grain})'
  ingestionFailuresByEnvironmentAndStep: 'customMetrics | where name == "memic.ingestion.files" and tostring(customDimensions["memic.outcome"]) == "failed" | extend environment = ${environmentDimension}, step = tostring(customDimensions["memic.ingestion.step"]) | summarize failures = sum(valueSum) by environment, step | order by failures desc'
  ingestionQueueDepth: 'customMetrics | where name == "memic.ingestion.queue.depth" | extend queue = tostring(customDimensions["memic.queue"]) | summarize depth = max(value) by queue, bin(timestamp, {TimeRange:grain})'
}

var sections = [
  { title: 'Search latency per environment (ms)', query: queries.searchLatencyByEnvironment, visualization: 'table' }
  { title: 'Search latency p50 / p99 (ms)', query: queries.searchLatencyOverTime, visualization: 'timechart' }
  { title: 'Ingestion throughput per environment', query: queries.ingestionThroughputByEnvironment, visualization: 'table' }
  { title: 'Files ingested over time, by outcome', query: queries.ingestionThroughputOverTime, visualization: 'timechart' }
  { title: 'Ingestion failures per environment and step', query: queries.ingestionFailuresByEnvironmentAndStep, visualization: 'table' }
  { title: 'Ingestion queue depth', query: queries.ingestionQueueDepth, visualization: 'timechart' }
]

var content = {
  version: 'Notebook/1.0'
  items: concat(
    [
      {
        type: 9
        name: 'parameters'
        content: {
          version: 'KqlParameterItem/1.0'
          parameters: [
            {
              id: 'time-range'
              version: 'KqlParameterItem/1.0'
              name: 'TimeRange'
              type: 4
              isRequired: true
              value: {
                durationMs: 86400000
              }
              typeSettings: {
                allowCustom: true
              }
            }
          ]
        }
      }
    ],
    map(sections, section => {
      type: 3
      name: section.title
      content: {
        version: 'KqlItem/1.0'
        title: section.title
        query: section.query
        queryType: 0
        resourceType: 'microsoft.insights/components'
        timeContextFromParameter: 'TimeRange'
        visualization: section.visualization
        size: 0
      }
    })
  )
  isLocked: false
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: applicationInsights.id
    serializedData: string(content)
  }
}

output id string = workbook.id
