// A pdfkit document set up the way every printed document of the service is: page size in
// millimetres, no margins of pdfkit's own (each document lays out its own), the CJK fonts
// registered under FONT names, and metadata. The caller draws, then sends it (pdf-reply.ts): pdfkit
// is a readable stream, so the bytes leave as they are produced.
import PDFDocument from 'pdfkit';
import { cjkFont } from './fonts.js';

/** Points per millimetre (PDF user space is 1/72 inch). */
export const PT_PER_MM = 72 / 25.4;
export const mm = (n: number): number => n * PT_PER_MM;

/** Font names registered on every document: the CJK font (Latin included) and a monospace one for codes. */
export const FONT = { regular: 'cjk', bold: 'cjk-bold', mono: 'Courier' } as const;

export const A4_MM = { widthMm: 210, heightMm: 297 } as const;

export interface NewPdf {
  /** Page size in millimetres. */
  widthMm: number;
  heightMm: number;
  title: string;
  subject?: string;
}

export type Pdf = InstanceType<typeof PDFDocument>;

/** A new document with its first page added; later pages with addPage(doc, spec). */
export function newPdf(spec: NewPdf): Pdf {
  const doc = new PDFDocument({
    size: [mm(spec.widthMm), mm(spec.heightMm)],
    margin: 0,
    compress: true,
    // No default font: pdfkit would parse Helvetica's metrics for every document; ours is set below.
    font: '',
    info: { Title: spec.title, Subject: spec.subject ?? '', Producer: 'hw-supervision', Creator: 'hw-supervision' },
    // Pages are written as they finish rather than all kept until the end.
    bufferPages: false,
    lang: 'zh-CN',
    displayTitle: true,
  });
  doc.registerFont(FONT.regular, cjkFont('regular'));
  doc.registerFont(FONT.bold, cjkFont('bold'));
  doc.font(FONT.regular);
  return doc;
}

/** Adds a page of the same size as the document's first. */
export function addPage(doc: Pdf, spec: Pick<NewPdf, 'widthMm' | 'heightMm'>): void {
  doc.addPage({ size: [mm(spec.widthMm), mm(spec.heightMm)], margin: 0 });
}
