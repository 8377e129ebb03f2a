// Which documents go to crew-lsp. They keep VS Code's `markdown` and `json` language ids (so the
// Markdown preview, outline and JSON features keep working) and are selected by path pattern.

export const CONFIG_FILE_PATTERNS = [
  '**/.crew/config.json',
  '**/.pi/teams/config.json',
  '**/.pi/pi-crew.json',
  '**/.pi/agent/pi-crew.json',
] as const;

export const MARKDOWN_PATTERNS = ['**/*.team.md', '**/*.workflow.md', '**/agents/*.md', '**/SKILL.md'] as const;

export interface DocumentFilter {
  scheme: string;
  language: string;
  pattern: string;
}

export const DOCUMENT_SELECTOR: DocumentFilter[] = [
  ...MARKDOWN_PATTERNS.map((pattern) => ({ scheme: 'file', language: 'markdown', pattern })),
  ...CONFIG_FILE_PATTERNS.map((pattern) => ({ scheme: 'file', language: 'json', pattern })),
];
