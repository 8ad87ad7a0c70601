// The demo city's parties (fictional names, real districts): who they are, where, and what they
// run. Pure data; demo-city.ts registers them through the API.
import { createHash } from 'node:crypto';
import { listRegions } from '../catalog/regions.js';
import { withCheckCharacter } from '../parties/uscc.js';

export type DemoOrgRole = 'generator' | 'carrier' | 'receiver' | 'collector' | 'regulator';

export interface FacilitySpec {
  code: string;
  name: string;
  kind: 'storage' | 'treatment';
  storageType?: 'warehouse' | 'yard' | 'pool' | 'tank_farm' | 'point';
  capacityKg?: number;
  methods?: string[];
}

export interface PartySpec {
  key: string;
  name: string;
  regionCode: string;
  roles: DemoOrgRole[];
  generatorClass?: 'industrial' | 'medical' | 'small_source';
  medicalTier?: 'village_clinic' | 'township_health_centre' | 'county_hospital' | 'other';
  /** First two USCC characters: 91 enterprise, 12 public institution, 52 private non-profit, 11 government. */
  usccType: '91' | '12' | '52' | '11';
  contact: { name: string; phone: string };
  address: string;
  lat: number;
  lng: number;
  facilities: FacilitySpec[];
  /** Carriers: plates registered under their transport licence. */
  plates?: string[];
  /** What it is in the demo (shown with its credentials). */
  description: string;
}

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** A deterministic, valid USCC per party: the same demo always gets the same codes. */
export function demoUscc(type: string, regionCode: string, key: string): string {
  const digest = createHash('sha256').update(`hw-demo:${key}`).digest();
  let body = type === '91' ? 'MA' : '';
  for (let i = 0; body.length < 9; i++) body += USCC_CHARS[digest[i] % USCC_CHARS.length];
  return withCheckCharacter(`${type}${regionCode}${body}`);
}

/** Districts and counties of the city, from the region table. */
export const DISTRICTS = listRegions().filter((r) => r.level !== 'province' && r.level !== 'city');

/** 小店区 → 小店, 古交市 → 古交 */
export const shortName = (name: string) => name.replace(/(区|县|市)$/, '');

const CENTRES: Record<string, [number, number]> = {
  140105: [37.736, 112.565], 140106: [37.855, 112.563], 140107: [37.880, 112.571], 140108: [37.940, 112.487],
  140109: [37.859, 112.516], 140110: [37.716, 112.478], 140121: [37.607, 112.358], 140122: [38.060, 112.673],
  140123: [38.067, 111.797], 140181: [37.907, 112.175],
};

export function regionCentre(regionCode: string): [number, number] {
  return CENTRES[regionCode] ?? [37.870, 112.549];
}

const REGULATOR_CONTACTS = ['李卫东', '王晓燕', '赵建军', '刘海涛', '陈丽娟', '杨志刚', '张明华', '郭建平', '周文斌', '吴晓峰'];

/** One regulator (生态环境分局) per district and county, each registering the parties of its area. */
export const REGULATORS: PartySpec[] = DISTRICTS.map((d, i) => {
  const [lat, lng] = regionCentre(d.code);
  return {
    key: `reg-${d.code}`,
    name: `太原市生态环境局${shortName(d.name)}分局`,
    regionCode: d.code,
    roles: ['regulator'],
    usccType: '11',
    contact: { name: REGULATOR_CONTACTS[i % REGULATOR_CONTACTS.length], phone: `0351-${String(5600100 + i * 37).padStart(7, '0')}` },
    address: `太原市${d.name}政务服务中心${i + 3}号楼`,
    lat, lng,
    facilities: [],
    description: 'regulator',
  };
});

const at = (region: string, dLat: number, dLng: number): { lat: number; lng: number } => {
  const [lat, lng] = regionCentre(region);
  return { lat: Math.round((lat + dLat) * 10000) / 10000, lng: Math.round((lng + dLng) * 10000) / 10000 };
};

const store = (code: string, name: string, capacityKg: number, storageType: FacilitySpec['storageType'] = 'warehouse'): FacilitySpec =>
  ({ code, name, kind: 'storage', storageType, capacityKg });
const plant = (code: string, name: string, methods: string[]): FacilitySpec => ({ code, name, kind: 'treatment', methods });

/** Generators, carriers, operators and the collection point, in every district and county. */
export const PARTIES: PartySpec[] = [
  // ---- industrial generators ----
  {
    key: 'chem', name: '太原晋化新材料有限公司', regionCode: '140107', roles: ['generator', 'receiver'], generatorClass: 'industrial',
    usccType: '91', contact: { name: '孙志强', phone: '0351-3046128' }, address: '太原市杏花岭区化工路18号', ...at('140107', 0.012, 0.031),
    facilities: [store('WH-01', '危险废物贮存库', 200_000), plant('RG-01', '废酸再生制备聚合氯化铁装置', ['R6'])], description: 'industrial generator (chemical plant)',
  },
  {
    key: 'steel', name: '太原龙城特殊钢有限公司', regionCode: '140108', roles: ['generator'], generatorClass: 'industrial',
    usccType: '91', contact: { name: '高建华', phone: '0351-2138870' }, address: '太原市尖草坪区钢园路9号', ...at('140108', 0.006, 0.018),
    facilities: [store('WH-01', '危废贮存库', 300_000), store('TK-01', '废酸储罐区', 120_000, 'tank_farm')], description: 'industrial generator (steel works)',
  },
  {
    key: 'auto', name: '太原恒达汽车零部件有限公司', regionCode: '140110', roles: ['generator'], generatorClass: 'industrial',
    usccType: '91', contact: { name: '马俊', phone: '0351-6517732' }, address: '太原市晋源区经济技术开发区恒达街6号', ...at('140110', -0.008, 0.022),
    facilities: [store('WH-01', '危废暂存间', 60_000)], description: 'industrial generator (auto parts factory)',
  },
  {
    key: 'coke', name: '清徐县鑫源焦化有限公司', regionCode: '140121', roles: ['generator'], generatorClass: 'industrial',
    usccType: '91', contact: { name: '武国庆', phone: '0351-5712206' }, address: '太原市清徐县精细化工循环产业园鑫源路1号', ...at('140121', -0.021, 0.044),
    facilities: [store('WH-01', '危废贮存库', 150_000), plant('RC-01', '焦油渣回配炼焦装置', ['R3'])], description: 'industrial generator (coking plant, own utilisation)',
  },
  {
    key: 'gjcoke', name: '古交市金山煤焦化有限公司', regionCode: '140181', roles: ['generator'], generatorClass: 'industrial',
    usccType: '91', contact: { name: '白永刚', phone: '0351-5238115' }, address: '太原市古交市屯兰街道金山路88号', ...at('140181', 0.015, -0.027),
    facilities: [store('WH-01', '危废贮存库', 120_000), plant('RC-01', '焦油渣回配装置', ['R3'])], description: 'industrial generator (coking plant)',
  },
  {
    key: 'power', name: '太原西山热电有限公司', regionCode: '140109', roles: ['generator'], generatorClass: 'industrial',
    usccType: '91', contact: { name: '冯涛', phone: '0351-6036659' }, address: '太原市万柏林区西矿街热电路2号', ...at('140109', 0.011, -0.021),
    facilities: [store('WH-01', '危废贮存库', 80_000)], description: 'industrial generator (power plant)',
  },
  {
    key: 'mining', name: '娄烦县汾源矿业有限公司', regionCode: '140123', roles: ['generator'], generatorClass: 'industrial',
    usccType: '91', contact: { name: '韩有福', phone: '0351-5301487' }, address: '太原市娄烦县马家庄乡矿区路3号', ...at('140123', 0.018, 0.025),
    facilities: [store('WH-01', '危废贮存库', 40_000)], description: 'industrial generator (iron-ore mine)',
  },
  // ---- medical institutions ----
  {
    key: 'qxhosp', name: '清徐县人民医院', regionCode: '140121', roles: ['generator', 'collector'], generatorClass: 'medical', medicalTier: 'county_hospital',
    usccType: '12', contact: { name: '梁红梅', phone: '0351-5722120' }, address: '太原市清徐县清源镇文源路27号', ...at('140121', 0.004, 0.003),
    facilities: [store('MW-01', '医疗废物暂存间', 8_000)], description: 'county hospital (gathers the townships\' medical waste)',
  },
  {
    key: 'xgcentre', name: '清徐县徐沟镇卫生院', regionCode: '140121', roles: ['generator', 'collector'], generatorClass: 'medical', medicalTier: 'township_health_centre',
    usccType: '12', contact: { name: '闫丽萍', phone: '0351-5781032' }, address: '太原市清徐县徐沟镇东大街15号', ...at('140121', -0.038, 0.091),
    facilities: [store('MW-01', '医疗废物集中暂存点', 2_000, 'point')], description: 'township health centre (乡镇集中暂存)',
  },
  ...([['clinic1', '清徐县徐沟镇东南村卫生室', '13934561208', '王秀兰', 0.006, 0.012], ['clinic2', '清徐县徐沟镇西北坊村卫生室', '13834127765', '李春生', 0.015, -0.009],
    ['clinic3', '清徐县徐沟镇王答村卫生室', '15935170346', '王建民', -0.012, 0.017]] as const).map(([key, name, phone, contact, dLat, dLng]): PartySpec => ({
    key, name, regionCode: '140121', roles: ['generator'], generatorClass: 'medical', medicalTier: 'village_clinic',
    usccType: '52', contact: { name: contact, phone }, address: `${name.replace('清徐县', '太原市清徐县').replace('卫生室', '')}村委会东侧`, ...at('140121', -0.038 + dLat, 0.091 + dLng),
    facilities: [store('MW-01', '医疗废物暂存点', 200, 'point')], description: 'village clinic (村卫生室)',
  })),
  {
    key: 'yzhosp', name: '太原市迎泽区中心医院', regionCode: '140106', roles: ['generator'], generatorClass: 'medical', medicalTier: 'other',
    usccType: '12', contact: { name: '田晓东', phone: '0351-4046630' }, address: '太原市迎泽区迎泽大街210号', ...at('140106', 0.002, 0.009),
    facilities: [store('MW-01', '医疗废物暂存间', 5_000)], description: 'hospital',
  },
  {
    key: 'xhlhosp', name: '太原市杏花岭区中医医院', regionCode: '140107', roles: ['generator'], generatorClass: 'medical', medicalTier: 'other',
    usccType: '12', contact: { name: '段文静', phone: '0351-3039516' }, address: '太原市杏花岭区胜利街66号', ...at('140107', -0.004, -0.006),
    facilities: [store('MW-01', '医疗废物暂存间', 3_000)], description: 'hospital',
  },
  {
    key: 'gjhosp', name: '古交市人民医院', regionCode: '140181', roles: ['generator'], generatorClass: 'medical', medicalTier: 'county_hospital',
    usccType: '12', contact: { name: '任海燕', phone: '0351-5122563' }, address: '太原市古交市东曲街道大川西路12号', ...at('140181', 0.003, 0.006),
    facilities: [store('MW-01', '医疗废物暂存间', 5_000)], description: 'county-level hospital',
  },
  {
    key: 'yqhosp', name: '阳曲县人民医院', regionCode: '140122', roles: ['generator'], generatorClass: 'medical', medicalTier: 'county_hospital',
    usccType: '12', contact: { name: '贾志芳', phone: '0351-5132018' }, address: '太原市阳曲县黄寨镇文化路8号', ...at('140122', 0.002, -0.004),
    facilities: [store('MW-01', '医疗废物暂存间', 3_000)], description: 'county hospital',
  },
  {
    key: 'lfhosp', name: '娄烦县人民医院', regionCode: '140123', roles: ['generator'], generatorClass: 'medical', medicalTier: 'county_hospital',
    usccType: '12', contact: { name: '康丽华', phone: '0351-5328120' }, address: '太原市娄烦县娄烦镇汾河路21号', ...at('140123', -0.002, 0.004),
    facilities: [store('MW-01', '医疗废物暂存间', 3_000)], description: 'county hospital',
  },
  // ---- small sources: garages and laboratories ----
  {
    key: 'garage1', name: '太原市小店区顺达汽车维修中心', regionCode: '140105', roles: ['generator'], generatorClass: 'small_source',
    usccType: '91', contact: { name: '秦晓军', phone: '13903510417' }, address: '太原市小店区许坦东街56号', ...at('140105', 0.009, 0.006),
    facilities: [store('PT-01', '危废贮存点', 1_000, 'point')], description: 'garage (small source)',
  },
  {
    key: 'garage2', name: '太原市万柏林区安驰汽车维修服务部', regionCode: '140109', roles: ['generator'], generatorClass: 'small_source',
    usccType: '91', contact: { name: '侯建斌', phone: '13703418826' }, address: '太原市万柏林区千峰南路33号', ...at('140109', -0.006, 0.011),
    facilities: [store('PT-01', '危废贮存点', 1_000, 'point')], description: 'garage (small source)',
  },
  {
    key: 'garage3', name: '阳曲县通达汽车修理厂', regionCode: '140122', roles: ['generator'], generatorClass: 'small_source',
    usccType: '91', contact: { name: '薛国栋', phone: '13835122097' }, address: '太原市阳曲县黄寨镇208国道旁', ...at('140122', -0.011, 0.007),
    facilities: [store('PT-01', '危废贮存点', 1_000, 'point')], description: 'garage (small source)',
  },
  {
    key: 'garage4', name: '太原市晋源区路安汽车快修店', regionCode: '140110', roles: ['generator'], generatorClass: 'small_source',
    usccType: '91', contact: { name: '程亮', phone: '13663517740' }, address: '太原市晋源区晋祠路一段166号', ...at('140110', 0.013, 0.004),
    facilities: [store('PT-01', '危废贮存点', 800, 'point')], description: 'garage (small source)',
  },
  {
    key: 'lab1', name: '山西中测环境检测有限公司', regionCode: '140105', roles: ['generator'], generatorClass: 'small_source',
    usccType: '91', contact: { name: '史雅琴', phone: '0351-7021365' }, address: '太原市小店区学府街125号', ...at('140105', 0.021, -0.008),
    facilities: [store('PT-01', '实验室危废暂存柜', 500, 'point')], description: 'laboratory (small source)',
  },
  {
    key: 'lab2', name: '太原晋阳职业技术学院化学实验中心', regionCode: '140107', roles: ['generator'], generatorClass: 'small_source',
    usccType: '12', contact: { name: '岳红', phone: '0351-3320471' }, address: '太原市杏花岭区新建路90号', ...at('140107', 0.007, 0.014),
    facilities: [store('PT-01', '实验室危废暂存间', 800, 'point')], description: 'laboratory (small source)',
  },
  // ---- the collection point for small sources (collects with its own van) ----
  {
    key: 'cp', name: '太原市迎泽区小微危险废物集中收集贮存点', regionCode: '140106', roles: ['collector', 'carrier'],
    usccType: '91', contact: { name: '潘立新', phone: '0351-4268810' }, address: '太原市迎泽区郝庄镇环保产业园5号', ...at('140106', -0.014, 0.031),
    facilities: [store('WH-01', '集中收集贮存库', 100_000)], plates: ['晋AD36812'], description: 'collection point for small sources (collector + carrier)',
  },
  // ---- licensed operators ----
  {
    key: 'incin', name: '太原市医疗废物集中处置中心', regionCode: '140108', roles: ['receiver', 'carrier', 'generator'], generatorClass: 'industrial',
    usccType: '91', contact: { name: '邢建民', phone: '0351-2261450' }, address: '太原市尖草坪区阳曲镇环卫路1号', ...at('140108', 0.041, 0.052),
    facilities: [store('CS-01', '医疗废物冷藏暂存库', 60_000), plant('INC-01', '回转窑焚烧线', ['D10']), store('FA-01', '飞灰暂存库', 200_000)],
    plates: ['晋A7Y631', '晋A7Y632'], description: 'licensed operator: medical-waste incinerator (D10, HW01), carries its own collections',
  },
  {
    key: 'landfill', name: '太原市危险废物安全填埋场', regionCode: '140122', roles: ['receiver'],
    usccType: '91', contact: { name: '常胜利', phone: '0351-5160233' }, address: '太原市阳曲县东黄水镇填埋场路1号', ...at('140122', 0.036, 0.058),
    facilities: [store('WH-01', '待处置暂存库', 500_000), plant('ST-01', '稳定化/固化车间', ['D9']), plant('LF-01', '柔性安全填埋场', ['D1'])],
    description: 'licensed operator: hazardous-waste landfill (D1, D9)',
  },
  {
    key: 'recycler', name: '太原清源再生资源有限公司', regionCode: '140109', roles: ['receiver'],
    usccType: '91', contact: { name: '樊志红', phone: '0351-6215578' }, address: '太原市万柏林区化章街循环经济园12号', ...at('140109', -0.017, -0.033),
    facilities: [store('WH-01', '原料贮存库', 300_000), plant('RC-01', '溶剂精馏回收装置', ['R2']), plant('RC-02', '废矿物油再生装置', ['R9'])],
    description: 'licensed operator: solvent recycler (R2, R9)',
  },
  {
    key: 'oilrec', name: '太原晋源再生油品有限公司', regionCode: '140110', roles: ['receiver'],
    usccType: '91', contact: { name: '雷振华', phone: '0351-6590021' }, address: '太原市晋源区姚村镇工业园8号', ...at('140110', 0.024, -0.035),
    facilities: [store('WH-01', '废矿物油储罐区', 40_000, 'tank_farm'), plant('RF-01', '废矿物油再生装置', ['R9'])],
    description: 'licensed operator: waste-oil recycler (R9), close to its annual capacity',
  },
  // ---- carriers ----
  {
    key: 't1', name: '太原晋运危险货物运输有限公司', regionCode: '140105', roles: ['carrier'],
    usccType: '91', contact: { name: '郝建伟', phone: '0351-7895512' }, address: '太原市小店区物流园区危货停车场1号', ...at('140105', -0.019, 0.027),
    facilities: [], plates: ['晋A5K621', '晋A5K622'], description: 'carrier',
  },
  {
    key: 't2', name: '山西汾运物流有限公司', regionCode: '140109', roles: ['carrier'],
    usccType: '91', contact: { name: '乔卫国', phone: '0351-6128834' }, address: '太原市万柏林区长风西街物流港B区', ...at('140109', 0.004, 0.026),
    facilities: [], plates: ['晋AH3357', '晋AH3358'], description: 'carrier',
  },
  {
    key: 't3', name: '清徐县安达危险货物运输有限公司', regionCode: '140121', roles: ['carrier'],
    usccType: '91', contact: { name: '范志宏', phone: '0351-5716690' }, address: '太原市清徐县东湖街道物流路7号', ...at('140121', 0.008, 0.017),
    facilities: [], plates: ['晋AQ3307'], description: 'carrier (medical waste)',
  },
  {
    key: 't4', name: '古交市鑫通运输有限公司', regionCode: '140181', roles: ['carrier'],
    usccType: '91', contact: { name: '温宝山', phone: '0351-5247731' }, address: '太原市古交市桃园街道运输路19号', ...at('140181', -0.009, 0.013),
    facilities: [], plates: ['晋AG8812'], description: 'carrier',
  },
];

export const DRIVERS: Record<string, { name: string; qualificationNo: string }> = {
  t1: { name: '王志强', qualificationNo: '140100202100317' },
  t2: { name: '张国平', qualificationNo: '140100201900842' },
  t3: { name: '刘二虎', qualificationNo: '140121202200056' },
  t4: { name: '曹利民', qualificationNo: '140181202000129' },
  cp: { name: '赵小龙', qualificationNo: '140106202300211' },
  incin: { name: '孟庆福', qualificationNo: '140108201800730' },
};
