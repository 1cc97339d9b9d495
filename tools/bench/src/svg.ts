/** Small SVG charts for the docs, generated from measured numbers (never drawn by hand). */

const escapeXml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** A horizontal bar chart: one bar per row, the value printed at its end. */
export function barChart(
  title: string,
  rows: readonly { label: string; value: number; highlight?: boolean }[],
  unit: string,
): string {
  const width = 640;
  const left = 170;
  const barHeight = 24;
  const gap = 10;
  const top = 40;
  const height = top + rows.length * (barHeight + gap) + 10;
  const max = Math.max(...rows.map((row) => row.value), 1);
  const span = width - left - 110;
  const bars = rows
    .map((row, i) => {
      const y = top + i * (barHeight + gap);
      const w = Math.max(2, (row.value / max) * span);
      const fill = row.highlight ? '#2b6cb0' : '#a0aec0';
      const value = `${Number.isInteger(row.value) ? row.value : row.value.toFixed(1)} ${unit}`;
      return [
        `<text x="${left - 8}" y="${y + 16}" text-anchor="end">${escapeXml(row.label)}</text>`,
        `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${fill}" rx="3"/>`,
        `<text x="${(left + w + 6).toFixed(1)}" y="${y + 16}">${escapeXml(value)}</text>`,
      ].join('');
    })
    .join('\n  ');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13">
  <rect width="100%" height="100%" fill="#fff"/>
  <text x="12" y="24" font-size="15" font-weight="600">${escapeXml(title)}</text>
  ${bars}
</svg>
`;
}

/** A line chart with a logarithmic y axis, for requests per second against fleet size. */
export function logLineChart(
  title: string,
  xs: readonly number[],
  series: readonly { label: string; values: readonly number[]; color: string; dashed?: boolean }[],
  yLabel: string,
): string {
  const width = 640;
  const height = 360;
  const left = 70;
  const right = 170;
  const top = 40;
  const bottom = 50;
  const all = series.flatMap((s) => s.values).filter((v) => v > 0);
  const minExp = Math.floor(Math.log10(Math.min(...all)));
  const maxExp = Math.ceil(Math.log10(Math.max(...all)));
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const x = (i: number) => left + (xs.length === 1 ? plotW / 2 : (i / (xs.length - 1)) * plotW);
  const y = (v: number) =>
    top + plotH - ((Math.log10(Math.max(v, 10 ** minExp)) - minExp) / (maxExp - minExp || 1)) * plotH;
  const grid: string[] = [];
  for (let e = minExp; e <= maxExp; e++) {
    grid.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${y(10 ** e).toFixed(1)}" y2="${y(10 ** e).toFixed(1)}" stroke="#e2e8f0"/>`,
    );
    grid.push(
      `<text x="${left - 6}" y="${(y(10 ** e) + 4).toFixed(1)}" text-anchor="end">${(10 ** e).toLocaleString('en-US')}</text>`,
    );
  }
  xs.forEach((v, i) => {
    grid.push(
      `<text x="${x(i).toFixed(1)}" y="${top + plotH + 18}" text-anchor="middle">${v.toLocaleString('en-US')}</text>`,
    );
  });
  const lines = series.map((s, k) => {
    const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    const legendY = top + 10 + k * 20;
    return `<polyline points="${points}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>
  <line x1="${left + plotW + 14}" x2="${left + plotW + 34}" y1="${legendY}" y2="${legendY}" stroke="${s.color}" stroke-width="2"${dash}/>
  <text x="${left + plotW + 40}" y="${legendY + 4}">${escapeXml(s.label)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">
  <rect width="100%" height="100%" fill="#fff"/>
  <text x="12" y="24" font-size="15" font-weight="600">${escapeXml(title)}</text>
  ${grid.join('\n  ')}
  <text x="${left + plotW / 2}" y="${height - 12}" text-anchor="middle">processes in the fleet</text>
  <text x="16" y="${top + plotH / 2}" transform="rotate(-90 16 ${top + plotH / 2})" text-anchor="middle">${escapeXml(yLabel)}</text>
  ${lines.join('\n  ')}
</svg>
`;
}
