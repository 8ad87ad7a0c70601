// The label as the API shows it.
import { Type } from 'typebox';
import type { labels } from '../db/schema.js';
import { findCategory } from '../catalog/catalog.js';
import { qrUrl } from './qr-token.js';

export type LabelRow = typeof labels.$inferSelect;

/** The label with the QR content for this deployment's public address. */
export function labelView(l: LabelRow, publicBaseUrl: string) {
  const qrContent = qrUrl(publicBaseUrl, l.qrToken);
  return {
    id: l.id,
    digitalCode: l.digitalCode,
    state: l.state,
    version: l.version,
    wasteCode: l.wasteCode,
    catalogueEdition: l.catalogueEdition,
    identificationReportNo: l.identificationReportNo,
    wasteName: l.wasteName,
    category: l.category,
    categoryName: findCategory(l.category, l.catalogueEdition)?.name ?? '',
    physicalForm: l.physicalForm,
    hazards: l.hazards,
    mainComponents: l.mainComponents,
    harmfulComponents: l.harmfulComponents,
    precautions: l.precautions,
    quantity: { value: l.quantityKg, unit: 'kg' as const },
    packaging: { type: l.packagingType, volumeL: l.volumeL },
    generatedAt: l.generatedAt.toISOString(),
    generatorId: l.generatorId,
    holderId: l.holderId,
    regionCode: l.regionCode,
    facilityId: l.facilityId,
    remarks: l.remarks,
    parentId: l.parentId,
    openManifestId: l.openManifestId,
    qrContent,
    createdAt: l.createdAt.toISOString(),
    lastStepAt: l.lastStepAt.toISOString(),
  };
}

const Nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()]);

export const LabelSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  digitalCode: Type.String({ description: '37-character digital identification code' }),
  state: Type.String(),
  version: Type.Integer(),
  wasteCode: Type.String(),
  catalogueEdition: Type.String({ description: 'The 国家危险废物名录 edition the waste code was classified under' }),
  identificationReportNo: Nullable(Type.String({ description: 'The 危险废物鉴别 report a 900-000-XX code rests on' })),
  wasteName: Type.String(),
  category: Type.String(),
  categoryName: Type.String(),
  physicalForm: Type.String(),
  hazards: Type.Array(Type.String()),
  mainComponents: Type.String(),
  harmfulComponents: Type.String(),
  precautions: Type.String(),
  quantity: Type.Object({ value: Type.Number(), unit: Type.Literal('kg') }),
  packaging: Type.Object({ type: Type.String(), volumeL: Type.Union([Type.Number(), Type.Null()]) }),
  generatedAt: Type.String({ format: 'date-time' }),
  generatorId: Type.String({ format: 'uuid' }),
  holderId: Type.String({ format: 'uuid' }),
  regionCode: Type.String(),
  facilityId: Nullable(Type.String()),
  remarks: Type.String(),
  parentId: Nullable(Type.String()),
  openManifestId: Nullable(Type.String()),
  qrContent: Type.String({ description: 'The URL encoded in the QR code' }),
  createdAt: Type.String({ format: 'date-time' }),
  lastStepAt: Type.String({ format: 'date-time' }),
});
