import { describe, it, expect } from 'vitest';
import {
  findRegion,
  inJurisdiction,
  isRegionCode,
  jurisdictionPrefix,
  listRegions,
} from '../../src/catalog/regions.js';

describe('regions', () => {
  it('loads the Taiyuan regions', () => {
    const all = listRegions();
    expect(all).toHaveLength(12);
    expect(all[0]).toEqual({ code: '140000', name: '山西省', level: 'province' });
    expect(findRegion('140105')).toEqual({ code: '140105', name: '小店区', level: 'district' });
    expect(findRegion('140199')).toBeUndefined();
  });

  it('isRegionCode checks 6 digits', () => {
    expect(isRegionCode('140105')).toBe(true);
    expect(isRegionCode('14010')).toBe(false);
    expect(isRegionCode('1401055')).toBe(false);
    expect(isRegionCode('14010a')).toBe(false);
  });

  it('jurisdictionPrefix strips trailing 00 pairs', () => {
    expect(jurisdictionPrefix('140100')).toBe('1401');
    expect(jurisdictionPrefix('140105')).toBe('140105');
    expect(jurisdictionPrefix('140000')).toBe('14');
    expect(() => jurisdictionPrefix('1401')).toThrow(TypeError);
  });

  it('inJurisdiction', () => {
    const city = jurisdictionPrefix('140100');
    expect(inJurisdiction(city, '140105')).toBe(true);
    expect(inJurisdiction(city, '140181')).toBe(true);
    expect(inJurisdiction(city, '140200')).toBe(false);
    expect(inJurisdiction(jurisdictionPrefix('140105'), '140106')).toBe(false);
    expect(inJurisdiction(jurisdictionPrefix('140000'), '140106')).toBe(true);
  });
});
