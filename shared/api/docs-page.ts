/**
 * A self-contained reference page rendered from the OpenAPI document: no
 * script, no CDN, so it works offline under `npm start` as well as in AWS.
 */
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

type Operation = {
  summary?: string;
  operationId?: string;
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
};

export function docsPage(document: Record<string, unknown>): string {
  const info = document.info as { title: string; description: string };
  const paths = document.paths as Record<string, Record<string, Operation>>;
  const sections = Object.entries(paths)
    .map(([path, operations]) =>
      Object.entries(operations)
        .map(([method, operation]) => {
          const params = (operation.parameters ?? [])
            .map(
              (param) =>
                `<li><code>${escapeHtml(param.name)}</code> (${param.in}${param.required ? ', required' : ''})</li>`,
            )
            .join('');
          const body = operation.requestBody?.content['application/json']?.schema;
          const responses = Object.entries(operation.responses)
            .map(([status, response]) => `<li><b>${status}</b> ${escapeHtml(response.description)}</li>`)
            .join('');
          return `<section id="${escapeHtml(operation.operationId ?? '')}">
<h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code>${operation.security?.length === 0 ? ' <small>public</small>' : ''}</h3>
<p>${escapeHtml(operation.summary ?? '')}</p>
${params ? `<h4>Parameters</h4><ul>${params}</ul>` : ''}
${body ? `<h4>Body</h4><pre>${escapeHtml(JSON.stringify(body, null, 2))}</pre>` : ''}
<h4>Responses</h4><ul>${responses}</ul>
</section>`;
        })
        .join('\n'),
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(info.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1d2330}
section{border-top:1px solid #e3e6ec;padding:.5rem 0}
pre{background:#f5f6f8;padding:.75rem;overflow:auto;font-size:13px}
.m{display:inline-block;min-width:4.5em;font-size:12px;color:#fff;border-radius:3px;padding:2px 6px;text-align:center}
.get{background:#2f6fdf}.post{background:#1f9d55}.patch{background:#c77c02}.put{background:#8a4fd1}.delete{background:#d0342c}
</style></head><body>
<h1>${escapeHtml(info.title)}</h1><p>${escapeHtml(info.description)}</p>
<p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1).</p>
${sections}
</body></html>`;
}
