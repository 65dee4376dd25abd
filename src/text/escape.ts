// Escaping for text placed in HTML or XML (element content or quoted attribute values).
const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const XML: Record<string, string> = { ...HTML, "'": '&apos;' };

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML[c]!);
export const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => XML[c]!);
