// The manifest as the driver carries it (危险废物转移联单, printed on A4): its number and official
// numbers, the three parties with USCC, licences, addresses and contacts, the carriers with their
// vehicles and drivers, the waste by kind and every container, each step with its time and who took
// it, the emergency measures, and a QR of the manifest. The layout follows the national record's
// parts (docs/exchange.md#what-we-send); it is a printout of this service's record, not the
// official form.
import { shanghaiDateTime } from '../calendar/working-days.js';
import { mm, type Pdf } from '../documents/pdf-document.js';
import { A4, FlowDocument } from '../documents/pdf-flow.js';
import { drawQr } from '../documents/pdf-qr.js';
import { textBlock, textLine } from '../documents/pdf-text.js';
import { hazardName } from '../labels/hazard-pictograms.js';
import { physicalFormName } from '../labels/print-label.js';
import type { PrintableManifest } from './manifest-print.js';

const MARGIN = A4.margin;

const STATE_NAMES: Record<string, string> = {
  draft: '草稿（未提交）', submitted: '已提交，待起运', in_transit: '运输中', delivered: '已运抵，待接收',
  received: '已接收', rejected: '已拒收', completed: '已完成', cancelled: '已撤销',
};
const STEP_NAMES: Record<string, string> = {
  submit: '提交（移出人确认）', cancel: '撤销', pickup: '起运（承运人接收）', handover: '承运人交接',
  deliver: '运抵', receive: '接收（接受人确认）', complete: '利用处置完毕', revise: '更正',
};

const ACCEPTANCE_NAMES = { accepted: '全部接收', partly_accepted: '部分接收', rejected: '全部拒收' } as const;

/** An instant as Asia/Shanghai local time to the minute: 2026-03-14 07:00. */
export function printedTime(d: Date | string | null): string {
  if (d === null) return '—';
  return shanghaiDateTime(typeof d === 'string' ? new Date(d) : d).slice(0, 16).replace('T', ' ');
}

const kg = (n: number | null) => (n === null ? '—' : `${Number(n.toFixed(3))}`);
const t = (n: number | null) => (n === null ? '—' : `${Number(n.toFixed(6))}`);

/**
 * What the manifest's QR holds: this service has no public page for manifests (the public page
 * verifies labels), so the QR names the manifest for a handset or a person to look it up —
 * `hw-manifest:{number}:{id}` (the number is empty on a draft).
 */
export function manifestQrContent(number: string | null, id: string): string {
  return `hw-manifest:${number ?? ''}:${id}`;
}

/** The printed manifest, ready to send (not yet ended). */
export function manifestPdf(p: PrintableManifest, printedAt: Date): Pdf {
  const r = p.record;
  const qrContent = manifestQrContent(r.manifestNumber, r.manifestId);
  const out = new FlowDocument(`危险废物转移联单 ${r.manifestNumber ?? r.manifestId}`,
    [`本联单由危险废物监管平台据电子记录打印，打印时间 ${printedTime(printedAt)}（北京时间）`, `二维码：${qrContent}`]);
  const { doc } = out;
  const orgName = new Map([r.shipper, r.receiver, ...r.carriers].map((o) => [o.orgId, o.name]));

  // Title, numbers and the QR.
  const qrSize = mm(30);
  drawQr(doc, qrContent, { x: A4.width - MARGIN - qrSize, y: MARGIN, size: qrSize, quietZone: 2 });
  textLine(doc, '危险废物转移联单', MARGIN, MARGIN + 18, { size: 18, bold: true, characterSpacing: 1 });
  const left = A4.contentWidth - qrSize - mm(5);
  let y = MARGIN + 28;
  const numbers = [
    `联单编号：${r.manifestNumber ?? '（未提交，无编号）'}`,
    ...(r.nationalNumber ? [`全国系统联单编号：${r.nationalNumber}`] : []),
    ...(r.provincialNumber ? [`省级系统联单编号：${r.provincialNumber}`] : []),
    ...(r.paperNumber ? [`纸质联单编号：${r.paperNumber}`] : []),
    `状态：${STATE_NAMES[r.state] ?? r.state}　　版本：${r.version}　　${r.kind === 'return' ? '退回转移' : r.transferType === 'cross_province' ? '跨省转移' : '省内转移'}`,
    ...(r.crossProvinceApprovalNumber ? [`跨省转移批准文号：${r.crossProvinceApprovalNumber}`] : []),
    ...(r.exemptionApprovalNumber ? [`豁免批准文号：${r.exemptionApprovalNumber}`] : []),
  ];
  for (const line of numbers) y = textBlock(doc, line, MARGIN, y, left, { size: 10 }) + 2;
  textBlock(doc, `系统编号 ${r.manifestId}`, MARGIN, y, left, { size: 7, color: '#555555' });
  out.y = Math.max(y + 12, MARGIN + qrSize + 4);

  out.heading('一、移出人（产生单位）');
  out.fields([
    { label: '单位名称', value: r.shipper.name },
    { label: '统一社会信用代码', value: r.shipper.uscc },
    { label: '地址', value: r.shipper.address },
    { label: '联系人', value: r.shipper.contact.name },
    { label: '联系电话', value: r.shipper.contact.phone },
    { label: '提交时间', value: printedTime(r.shipper.filledAt) },
  ]);

  out.heading('二、承运人、车辆与驾驶员');
  out.table([
    { header: '序', width: 0.4, align: 'center' }, { header: '单位名称', width: 2.2 }, { header: '统一社会信用代码', width: 2 },
    { header: '道路运输经营许可证', width: 1.5 }, { header: '联系人 / 电话', width: 1.4 }, { header: '车牌号', width: 1 },
    { header: '驾驶员 / 从业资格证', width: 1.5 }, { header: '接收 / 交出时间', width: 1.4 },
  ], r.carriers.map((c) => [
    String(c.sequence), c.name, c.uscc,
    [...c.transportLicences.map((l) => l.number), ...(c.declaredLicenceNumber ? [c.declaredLicenceNumber] : [])].join('\n') || '—',
    `${c.contact.name}\n${c.contact.phone}`,
    c.vehiclePlate ?? '—',
    c.driver ? `${c.driver.name}\n${c.driver.qualificationNo ?? ''}` : '—',
    `${printedTime(c.takenOverAt)}\n${printedTime(c.handedOverAt)}`,
  ]));

  out.heading('三、接受人（利用处置单位）');
  const licences = [...r.receiver.licences.map((l) => `${l.number}（有效期至 ${l.validTo}）`), ...(r.receiver.declaredLicenceNumber ? [r.receiver.declaredLicenceNumber] : [])];
  out.fields([
    { label: '单位名称', value: r.receiver.name },
    { label: '统一社会信用代码', value: r.receiver.uscc },
    { label: '危险废物经营许可证', value: licences.join('；') },
    { label: '地址', value: r.receiver.address },
    { label: '联系人 / 电话', value: `${r.receiver.contact.name} ${r.receiver.contact.phone}` },
    { label: '拟利用处置方式', value: r.receipt.intendedMethod ?? '—' },
  ]);

  out.heading('四、危险废物');
  out.table([
    { header: '废物名称', width: 2 }, { header: '废物类别 / 代码', width: 1.6 }, { header: '形态', width: 0.7 },
    { header: '危险特性', width: 1.1 }, { header: '有害成分', width: 1.4 }, { header: '包装（件）', width: 1.2 },
    { header: '申报量（t）', width: 0.9, align: 'right' }, { header: '接收量（t）', width: 0.9, align: 'right' },
  ], r.wastes.map((w) => [
    w.name, `${w.category} ${w.categoryName ?? ''}\n${w.code}`, physicalFormName(w.physicalForm),
    w.hazardCharacteristics.map(hazardName).join('、'), w.harmfulComponents,
    w.packaging.map((pk) => `${pk.type} × ${pk.count}`).join('\n'), t(w.declaredQuantityT), t(w.acceptedQuantityT),
  ]));
  out.fields([
    { label: '容器总数', value: `${r.totals.containerCount} 件` },
    { label: '申报总量', value: `${t(r.totals.declaredQuantityT)} t` },
    { label: '接收总量', value: r.totals.acceptedQuantityT === null ? '—' : `${t(r.totals.acceptedQuantityT)} t` },
  ]);

  out.heading('五、应急措施');
  out.paragraph(r.emergencyMeasures === '' ? '（未填写）' : r.emergencyMeasures);

  out.heading('六、容器明细');
  out.table([
    { header: '数字识别码', width: 3.9, mono: true }, { header: '废物代码', width: 1 }, { header: '废物名称', width: 1.6 },
    { header: '包装', width: 1.1 }, { header: '申报（kg）', width: 0.9, align: 'right' }, { header: '接收', width: 0.6, align: 'center' },
    { header: '实测（kg）', width: 0.9, align: 'right' }, { header: '拒收原因 / 差异', width: 1.5 },
  ], r.containers.map((c) => [
    c.digitalCode, c.wasteCode, p.wasteNames.get(c.digitalCode) ?? '', c.volumeL === null ? c.packagingType : `${c.packagingType} ${c.volumeL} L`,
    kg(c.declaredKg), c.accepted === null ? '—' : c.accepted ? '是' : '否', kg(c.measuredKg),
    [c.refusalReason, c.mismatchNote].filter((s): s is string => Boolean(s)).join('；'),
  ]));

  out.heading('七、转移过程（各方确认）');
  out.table([
    { header: '步骤', width: 1.5 }, { header: '时间（北京时间）', width: 1.3 }, { header: '单位', width: 2.2 },
    { header: '经办（客户端 / 经办人）', width: 1.7 }, { header: '说明', width: 2.3 },
  ], p.steps.map((s) => [
    STEP_NAMES[s.action] ?? s.action, printedTime(s.occurredAt), orgName.get(s.orgId) ?? s.orgId,
    [s.clientName, s.handledBy ? `经办人 ${s.handledBy}` : null].filter(Boolean).join('\n') || '—',
    stepNote(s.details),
  ]));

  out.heading('八、接收');
  out.fields([
    { label: '运抵时间', value: printedTime(r.transport.arrivedAt) },
    { label: '接收期限', value: r.receipt.dueOn ?? '—' },
    { label: '接收时间', value: printedTime(r.receipt.receivedAt) },
    { label: '接收结论', value: r.receipt.acceptance === null ? '—' : ACCEPTANCE_NAMES[r.receipt.acceptance] },
    { label: '已采用利用处置方式', value: r.receipt.methodsApplied.join('、') || '—' },
    { label: '完成时间', value: printedTime(r.receipt.completedAt) },
  ]);
  if (r.cancelReason) out.fields([{ label: '撤销原因', value: r.cancelReason }], 1);
  return doc;
}

/** What a step's details add on paper: vehicle and driver, the receipt deadline, a reason. */
function stepNote(d: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof d.vehiclePlate === 'string') parts.push(`车辆 ${d.vehiclePlate}`);
  const driver = d.driver as { name?: unknown; qualificationNo?: unknown } | undefined;
  if (driver && typeof driver.name === 'string') parts.push(`驾驶员 ${driver.name}${typeof driver.qualificationNo === 'string' ? `（${driver.qualificationNo}）` : ''}`);
  if (typeof d.receiptDueOn === 'string') parts.push(`接收期限 ${d.receiptDueOn}`);
  if (typeof d.accepted === 'number') parts.push(`接收 ${d.accepted} 件，拒收 ${typeof d.refused === 'number' ? d.refused : 0} 件`);
  if (typeof d.reason === 'string') parts.push(`原因：${d.reason}`);
  if (d.via === 'paper_waybill') parts.push('据纸质联单补录');
  return parts.join('；');
}
