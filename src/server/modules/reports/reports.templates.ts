// Report wording lives in editable, versioned templates: a set of named Mustache parts (logic-less,
// no code runs). Defaults ship here; the office saves new versions through the API.
import Mustache from 'mustache';
import { AppError } from '../../kernel/errors.ts';

export const STAGE_SUMMARY = 'stage-summary';
export const DAILY_BRIEF = 'daily-brief';

export const DEFAULT_PARTS: Record<string, Record<string, string>> = {
  [STAGE_SUMMARY]: {
    title: '{{orgName}}疫情防控宣传工作阶段总结',
    subtitle: '（{{fromText}}至{{toText}}）',
    opening:
      '为做好{{orgName}}疫情防控宣传工作，坚持以党中央、国务院关于疫情防控工作部署为指导，坚持以人民为中心，深入贯彻上级疫情防控工作要求，引导社会各界正确认识、科学防范，为打好打赢疫情防控战役提供坚强的宣传舆论支持，取得阶段宣传成效，现将{{fromText}}至{{toText}}宣传工作情况总结如下。',
    'leadership.heading': '高度重视，加强领导',
    'leadership.body': '【待补充：工作专班组建、工作方案制定、专题会议召开等情况】',
    'priorities.heading': '突出重点，压实责任',
    'priorities.body':
      '坚持以团结稳定鼓劲、正面宣传为主的方针，重点宣传党中央、国务院关于疫情防控工作部署；宣传上级和本级防控工作安排；宣传防控工作推进情况、成效；宣传各级各单位深入一线开展防控工作；宣传科学防控疫情知识；开展舆情监测，及时回应社会关切。',
    'priorities.empty': '本期各项工作暂无台账数据。',
    'nextSteps.heading': '下一步工作打算',
    'nextSteps.body':
      '在疫情防控指挥部的领导下，持续加强疫情防控社会宣传，在电视、重点地段、电子屏等密集投放宣传标语，发布科学权威防控宣传资料。统筹各类媒体加强新闻宣传，增强打赢疫情防控攻坚战、阻击战的信心和决心。加强网络舆情监测，及时研判处置，维护网络空间良好秩序。',
    footer: '本报告由一线平台根据台账记录生成，数据截至{{asOfText}}。',
  },
  [DAILY_BRIEF]: {
    title: '{{orgName}}社会宣传工作日报',
    subtitle: '（{{dateText}}）',
    summary:
      '{{dateText}}，{{#items.length}}辖区共{{#items}}{{label}}{{figure}}{{^last}}，{{/last}}{{/items}}。{{/items.length}}{{^items.length}}辖区当日无宣传台账记录。{{/items.length}}',
    coverage: '辖区{{units}}个村（社区）中，当日{{reportingToday}}个报送，{{silent}}个连续{{silentDays}}天以上未报送。',
    cumulative: '近30日（{{sinceText}}至{{dateText}}）累计：{{#cumulative}}{{name}}{{figure}}{{^last}}，{{/last}}{{/cumulative}}。',
    silentList: '未报送单位：{{#silentUnits}}{{name}}（{{parentName}}）{{^last}}、{{/last}}{{/silentUnits}}{{#more}}等{{silent}}个{{/more}}。',
    footer: '本日报由一线平台根据台账记录自动生成，数据截至{{asOfText}}。',
  },
};

export function defaultPartsFor(name: string, providerParts: Record<string, string> = {}): Record<string, string> {
  const base = DEFAULT_PARTS[name];
  if (!base) throw new AppError('not_found', '没有这个报告模板');
  return name === STAGE_SUMMARY ? { ...base, ...providerParts } : { ...base };
}

/** Refuse templates Mustache cannot parse, with the part and the reason. */
export function validateParts(parts: Record<string, string>) {
  for (const [key, text] of Object.entries(parts)) {
    try {
      Mustache.parse(text);
    } catch (err) {
      throw new AppError('invalid_input', `模板“${key}”有语法错误：${(err as Error).message}`, [{ path: `body.parts.${key}`, message: (err as Error).message }]);
    }
  }
}

/** Render one part; values are inserted as they are (each output format escapes for itself). */
export function renderPart(parts: Record<string, string>, key: string, view: Record<string, unknown>): string {
  const text = parts[key];
  if (text === undefined) return '';
  return Mustache.render(text, view, {}, { escape: (v: unknown) => String(v) }).trim();
}
