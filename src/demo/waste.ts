// What the demo's containers hold: one label template per waste code (HJ 1276 fields).
export interface WasteTemplate {
  wasteCode: string;
  wasteName: string;
  physicalForm: 'solid' | 'semi_solid' | 'liquid' | 'gas';
  mainComponents: string;
  harmfulComponents: string;
  precautions: string;
  packaging: { type: string; volumeL: number };
  /** Typical net weight of one container, kg: [min, max]. */
  kg: [number, number];
}

const t = (
  wasteCode: string, wasteName: string, physicalForm: WasteTemplate['physicalForm'], mainComponents: string, harmfulComponents: string,
  precautions: string, type: string, volumeL: number, kg: [number, number],
): WasteTemplate => ({ wasteCode, wasteName, physicalForm, mainComponents, harmfulComponents, precautions, packaging: { type, volumeL }, kg });

export const WASTE = {
  solvent: t('900-402-06', '废有机溶剂', 'liquid', '丙酮、甲苯、乙酸乙酯混合溶剂', '甲苯', '远离火源，密闭存放，防止泄漏', 'drum', 200, [150, 175]),
  catalyst: t('261-151-50', '废催化剂', 'solid', '氧化铝载体、镍', '镍及其化合物', '防潮、防尘，吨袋密封', 'bulk_bag', 1000, [450, 560]),
  packaging: t('900-041-49', '废包装物', 'solid', '沾染化学品的废包装桶、包装袋', '残留有机物', '密闭存放，防止遗撒', 'bag', 200, [30, 55]),
  acid: t('313-001-34', '废酸洗液', 'liquid', '盐酸、氯化亚铁', '盐酸', '防腐蚀，禁止与碱类混存', 'IBC', 1000, [1050, 1180]),
  oil: t('900-249-08', '废矿物油', 'liquid', '废液压油、废润滑油', '矿物油、多环芳烃', '远离火源，防止渗漏', 'drum', 200, [160, 180]),
  surface: t('336-064-17', '表面处理废液', 'liquid', '磷化废液、除油废液', '锌、镍、磷酸盐', '防腐蚀，防止渗漏', 'drum', 200, [200, 235]),
  paint: t('900-252-12', '漆渣', 'semi_solid', '废油漆渣、喷漆房废过滤棉', '苯系物', '远离火源，密闭存放', 'drum', 200, [95, 130]),
  tar: t('252-002-11', '焦油渣', 'semi_solid', '焦油渣', '多环芳烃、苯并[a]芘', '防渗漏，远离火源', 'steel_box', 1000, [700, 900]),
  gjtar: t('252-004-11', '焦油渣', 'semi_solid', '焦油储存设施焦油渣', '多环芳烃、苯并[a]芘', '防渗漏，远离火源', 'steel_box', 1000, [650, 850]),
  denox: t('772-007-50', '废脱硝催化剂', 'solid', '钒钛系蜂窝式催化剂', '五氧化二钒', '防潮、防尘，木箱包装', 'crate', 1500, [820, 960]),
  flyash: t('772-003-18', '焚烧飞灰', 'solid', '螯合稳定化后的飞灰', '重金属、二噁英', '防扬散，吨袋密封', 'bulk_bag', 1000, [950, 1100]),
  engineOil: t('900-214-08', '废机油', 'liquid', '废发动机油、废变速器油', '多环芳烃', '远离火源，防止渗漏', 'drum', 60, [42, 55]),
  rags: t('900-041-49', '含油废抹布及废滤芯', 'solid', '废机油滤芯、含油抹布手套', '矿物油', '密闭存放', 'bag', 100, [12, 20]),
  battery: t('900-052-31', '废铅蓄电池', 'solid', '铅板、铅膏、硫酸电解液', '铅、硫酸', '防倾倒、防渗漏，耐酸托盘存放', 'acid_proof_box', 120, [28, 42]),
  labWaste: t('900-047-49', '实验室废液', 'liquid', '有机及无机混合废液', '重金属、有机溶剂', '分类收集，禁止混合，密闭存放', 'jerrycan', 25, [16, 22]),
  tubes: t('900-023-29', '废含汞灯管', 'solid', '废荧光灯管', '汞', '防破碎，原包装箱存放', 'box', 60, [10, 16]),
  infectious: t('841-001-01', '感染性废物', 'solid', '棉签、纱布、一次性输液器', '病原微生物', '防刺破、防渗漏，专用包装袋', 'bag', 20, [1.5, 3.2]),
  sharps: t('841-002-01', '损伤性废物', 'solid', '针头、缝合针、手术刀片', '病原微生物', '利器盒封闭，防刺伤', 'sharps_container', 3, [0.6, 1.2]),
  pathological: t('841-003-01', '病理性废物', 'solid', '手术切除的人体组织', '病原微生物', '低温暂存，双层包装', 'bag', 10, [2, 5]),
  pharma: t('841-005-01', '药物性废物', 'solid', '过期、淘汰的药品', '药物活性成分', '分类收集，密闭存放', 'box', 20, [3, 8]),
  turnoverBox: t('841-001-01', '感染性废物（周转箱）', 'solid', '村卫生室感染性及损伤性废物', '病原微生物', '周转箱加盖密封，防渗漏', 'turnover_box', 120, [0, 0]),
  rag_tonbag: t('900-041-49', '含油废抹布及废滤芯（集中打包）', 'solid', '小微单位含油废抹布、废滤芯', '矿物油', '吨袋密封，防雨防渗', 'bulk_bag', 1000, [0, 0]),
} as const;

export type WasteKey = keyof typeof WASTE;
