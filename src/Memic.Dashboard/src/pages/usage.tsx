import { useEffect, useState } from 'preact/hooks';
import { usage, type Usage, type UsageDay } from '../api';
import { ErrorText, messageOf } from '../ui';

const days = 30;
const series: { key: keyof UsageDay; label: string }[] = [
  { key: 'searches', label: 'Searches' },
  { key: 'chats', label: 'Chats' },
  { key: 'files', label: 'Files' },
  { key: 'embedding_tokens', label: 'Embedding tokens' },
];

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** The last 30 days (UTC) as one row per day, days with no traffic filled with zeros. */
export function lastDays(answer: Usage, today: Date): UsageDay[] {
  const byDate = new Map(answer.days.map((d) => [d.date, d]));
  return Array.from({ length: days }, (_, i) => {
    const date = isoDay(new Date(today.getTime() - (days - 1 - i) * 86_400_000));
    return (
      byDate.get(date) ?? { date, requests: 0, searches: 0, chats: 0, files: 0, bytes: 0, pages: 0, chunks: 0, embedding_tokens: 0 }
    );
  });
}

export function UsagePage({ environmentId }: { environmentId: string }) {
  const [rows, setRows] = useState<UsageDay[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const today = new Date();
    const from = isoDay(new Date(today.getTime() - (days - 1) * 86_400_000));
    usage.get(environmentId, from, isoDay(today)).then(
      (answer) => setRows(lastDays(answer, today)),
      (e) => setError(messageOf(e)),
    );
  }, [environmentId]);

  if (error) return <ErrorText error={error} />;
  if (!rows) return <p class="loading">Loading…</p>;

  return (
    <section aria-label="Usage">
      <h2>Last {days} days</h2>
      <div class="charts" data-testid="usage-chart">
        {series.map((s) => (
          <BarChart key={s.key} label={s.label} values={rows.map((r) => Number(r[s.key]))} dates={rows.map((r) => r.date)} />
        ))}
      </div>
      <details>
        <summary>As a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Day</th>
              {series.map((s) => (
                <th scope="col" key={s.key}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.date}>
                <td>{r.date}</td>
                {series.map((s) => (
                  <td key={s.key}>{Number(r[s.key]).toLocaleString()}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

/** A plain SVG bar chart: 30 bars on the series' own scale, each with its day and value as a tooltip. */
function BarChart({ label, values, dates }: { label: string; values: number[]; dates: string[] }) {
  const width = 300;
  const height = 100;
  const max = Math.max(1, ...values);
  const total = values.reduce((a, b) => a + b, 0);
  const barWidth = width / values.length;
  return (
    <figure class="chart" data-series={label}>
      <figcaption>
        {label} <span class="muted">{total.toLocaleString()} in all</span>
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height + 14}`} role="img" aria-label={`${label} per day: ${total} in the last ${values.length} days`}>
        <line x1="0" y1={height} x2={width} y2={height} class="axis" />
        {values.map((v, i) => {
          const h = (v / max) * (height - 4);
          return (
            <rect key={dates[i]} x={i * barWidth + 1} y={height - h} width={barWidth - 2} height={h} class="bar">
              <title>
                {dates[i]}: {v.toLocaleString()}
              </title>
            </rect>
          );
        })}
        <text x="0" y={height + 12} class="tick">
          {dates[0]}
        </text>
        <text x={width} y={height + 12} class="tick" text-anchor="end">
          {dates[dates.length - 1]}
        </text>
        <text x="0" y="8" class="tick">
          max {max.toLocaleString()}
        </text>
      </svg>
    </figure>
  );
}
