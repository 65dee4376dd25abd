// Demo news and publishing: published notices, news and explainers across channels (some
// reposts), a live blog with entries, the first confirmed case as an event, a press conference,
// outside coverage, and a draft waiting for review.
import type { Actor } from '../kernel/index.ts';
import { localDate } from '../kernel/time.ts';
import { addLiveEntry, approveContent, createContent, publishContent, submitContent } from '../modules/publishing/publishing.service.ts';
import { addCoverage, createEvent, createPressConference } from '../modules/publishing/publishing.records.ts';
import { loadRoles } from '../kernel/authenticate.ts';
import type { DemoContext } from './index.ts';

const ITEMS = [
  { kind: 'notice', theme: 'local_arrangement', title: '关于进一步做好春节期间疫情防控工作的通告', channels: ['website', 'wechat', 'weibo', 'tv', 'app'], body: '<p>为切实做好春节期间疫情防控工作，现将有关事项通告如下：</p><h2>一、减少聚集</h2><p>暂停举办坝坝宴、婚丧嫁娶宴席等聚集性活动，提倡“红事缓办、白事简办、宴会不办”。</p><h2>二、做好个人防护</h2><p>外出佩戴口罩，勤洗手、常通风，出现发热、咳嗽等症状及时到发热门诊就诊。</p><h2>三、主动登记</h2><p>近期有外地旅居史的人员请主动向所在村（社区）报告，配合做好健康监测。</p>' },
  { kind: 'news', theme: 'progress', title: '我区各乡镇（街道）全面开展入户宣传走访', channels: ['website', 'mobile_paper', 'wechat'], body: '<p>连日来，各乡镇（街道）组织干部群众深入村社，通过小喇叭、宣传车、入户走访等方式，把防控知识送到千家万户。</p>' },
  { kind: 'explainer', theme: 'science', title: '科学佩戴口罩，这些要点请记牢', channels: ['website', 'wechat', 'weibo', 'app'], body: '<p>一是选择合格口罩；二是分清正反面，金属条在上；三是按压鼻夹，完全覆盖口鼻；四是一次性口罩不重复使用。</p>' },
  { kind: 'news', theme: 'central_policy', title: '转发：国务院联防联控机制发布会要点', channels: ['website', 'app'], isRepost: true, sourceName: '新华社', body: '<p>国务院联防联控机制召开新闻发布会，介绍疫情防控最新进展。</p>' },
  { kind: 'news', theme: 'frontline_units', title: '坚守一线的“排雷手”：记青山镇村社干部', channels: ['website', 'tv', 'wechat'], body: '<p>大年初一，一则通知唤回了本应在家团聚的基层工作人员，他们带头排查、带头走访、带头宣传。</p>' },
  { kind: 'explainer', theme: 'opinion_response', title: '网传“喝高度白酒可预防病毒”不实', channels: ['website', 'weibo', 'wechat'], body: '<p>近日网传喝高度白酒可以预防新型冠状病毒。经核实，该说法没有科学依据，饮酒不能预防病毒感染，请广大群众不信谣、不传谣。</p>' },
] as const;

export async function seedPublishing(ctx: DemoContext) {
  const { kernel } = ctx;
  const actor = async (username: string): Promise<Actor> => {
    const u = await kernel.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirstOrThrow();
    return { userId: u.id, username: u.username, displayName: u.display_name, orgId: u.org_id, roles: await loadRoles(kernel.db, u.id), via: 'session', ip: null };
  };
  const editor = await actor('editor');
  const reviewer = await actor('reviewer');
  const publicity = await actor('publicity');

  const event = await createEvent(kernel, publicity, { title: '我区首例确诊病例', occurredAt: new Date(Date.now() - 40 * 86_400_000).toISOString(), orgId: ctx.orgs.get('D') });
  const publish = async (input: Parameters<typeof createContent>[2]) => {
    const c = await createContent(kernel, editor, input);
    await submitContent(kernel, editor, c.id);
    await approveContent(kernel, reviewer, c.id);
    return publishContent(kernel, editor, c.id);
  };
  const first = await publish({ kind: 'notice', theme: 'progress', title: '关于我区发现首例新型冠状病毒感染的肺炎确诊病例的通告', body: '<p>经市级专家组会诊，我区发现首例确诊病例，患者已在定点医院隔离治疗，密切接触者均已落实集中隔离医学观察。</p>', channels: ['website', 'wechat', 'weibo', 'tv'], eventId: event.id });
  for (const item of ITEMS) await publish({ ...item, channels: [...item.channels] });
  const live = await publish({ kind: 'live', theme: 'progress', title: '图文直播：我区疫情防控新闻发布会', body: '<p>区疫情防控指挥部召开新闻发布会，通报全区疫情防控工作情况。</p>', channels: ['website', 'app', 'weibo'] });
  for (const text of ['发布会开始，区卫生健康委负责人通报疫情情况。', '区市场监管局通报口罩等防疫物资价格监管情况，公布举报电话。', '记者提问环节：返乡人员如何登记？答：请主动向所在村（社区）报告。']) {
    await addLiveEntry(kernel, editor, live.id, { body: `<p>${text}</p>` });
  }
  const release = await publish({ kind: 'press_release', theme: 'local_arrangement', title: '区疫情防控新闻发布会通稿', body: '<p>会上，有关部门负责人介绍了我区防控工作部署和物资保障情况。</p>', channels: ['website', 'mobile_paper'] });
  await createPressConference(kernel, publicity, { title: '示例区疫情防控新闻发布会（第一场）', heldAt: new Date(Date.now() - 35 * 86_400_000).toISOString(), place: '区政府新闻发布厅', speakers: ['区卫生健康委负责人', '区市场监管局负责人'], topics: ['疫情通报', '物资保障'], liveContentId: live.id, releaseContentId: release.id });
  const day = (n: number) => localDate(new Date(Date.now() - n * 86_400_000), kernel.config.timeZone);
  for (const [outlet, level, title, n] of [
    ['某日报', 'municipal', '示例区：网格化排查筑牢疫情防线', 20],
    ['华龙网', 'municipal', '示例区小喇叭响彻村村寨寨', 15],
    ['上游新闻', 'municipal', '示例区干部带头不聚餐不聚会', 12],
    ['某省广播电视台', 'provincial', '示例区多措并举做好春节防控宣传', 8],
  ] as const) {
    await addCoverage(kernel, publicity, { outlet, level, title, publishedOn: day(n), topic: '防控宣传' });
  }
  // One draft in review, for the reviewer's queue.
  const pending = await createContent(kernel, editor, { kind: 'news', theme: 'frontline_units', title: '社区志愿者的一天', body: '<p>清晨六点，和平社区的志愿者已经在小区门口测温登记。</p>', channels: ['website', 'wechat'] });
  await submitContent(kernel, editor, pending.id);
  void first;
}
