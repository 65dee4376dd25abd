// The reporter page's own small dictionary: Chinese first, English for visitors and testers.
const zh = {
  title: '一线·村社填报',
  subtitle: '疫情防控宣传工作量填报',
  username: '用户名',
  password: '密码',
  login: '登录',
  loggingIn: '正在登录…',
  loginOffline: '当前没有网络，首次登录需要联网。',
  sessionExpired: '登录已过期，请重新登录。尚未上传的记录不会丢失。',
  logout: '退出',
  logoutPending: '还有 {n} 条记录未上传，退出后下次登录会继续上传。确定退出？',
  org: '填报单位',
  indicator: '宣传项目',
  date: '日期',
  value: '数量',
  note: '备注（可不填）',
  notePlaceholder: '如：在村口、广场张贴',
  submit: '提交',
  saved: '已保存 {text}，{next}',
  savedOnline: '正在上传',
  savedOffline: '有网后自动上传',
  pickIndicator: '请选择宣传项目',
  needValue: '请填写数量',
  badValue: '数量应为不小于 0 的数字',
  wholeValue: '{name}应为整数',
  decimalsValue: '{name}最多 {d} 位小数',
  tooLarge: '数量过大',
  futureDate: '日期不能晚于今天',
  online: '在线',
  offline: '离线',
  pending: '待上传 {n} 条',
  synced: '已同步',
  syncing: '正在上传 {n} 条…',
  failed: '{n} 条需修改',
  needsFix: '需修改',
  syncNow: '立即上传',
  lastSync: '上次同步 {time}',
  queueTitle: '待上传',
  queueEmpty: '没有待上传的记录',
  edit: '修改',
  remove: '删除',
  confirmRemove: '确定删除？',
  backToForm: '已放回表单，请修改后重新提交',
  historyTitle: '我的填报记录',
  historyEmpty: '还没有填报记录',
  historyOffline: '离线中，显示的是上次同步时的记录',
  historyLoading: '正在加载…',
  showAll: '显示全部 {n} 条',
  deleted: '已删除',
  deleteFailed: '删除未成功：{msg}',
  deleteOffline: '没有网络，暂时不能删除',
  statusCounted: '已计入',
  statusPending: '待核实',
  statusRejected: '已退回',
  statusDeleted: '已删除',
  review: '数值偏高，已转区里核实',
  networkError: '网络不通，稍后自动重试',
  serverError: '服务器暂时不可用，稍后自动重试',
  install: '添加到桌面',
  update: '有新版本，轻触刷新',
  lang: 'EN',
  noOrgs: '没有可填报的单位，请联系管理员',
  reporterOnly: '此页面供村（社区）信息员填报使用',
  admin: '电脑版',
};
export type Key = keyof typeof zh;
const en: Record<Key, string> = {
  title: 'Frontline · Village reporting',
  subtitle: 'Log epidemic-prevention outreach work',
  username: 'Username',
  password: 'Password',
  login: 'Log in',
  loggingIn: 'Logging in…',
  loginOffline: 'No network. The first login needs a connection.',
  sessionExpired: 'Your session has expired; please log in again. Entries not yet uploaded are kept.',
  logout: 'Log out',
  logoutPending: '{n} entries are not uploaded yet; they will be uploaded after your next login. Log out?',
  org: 'Reporting unit',
  indicator: 'Activity',
  date: 'Date',
  value: 'Quantity',
  note: 'Note (optional)',
  notePlaceholder: 'e.g. posted at the village gate',
  submit: 'Submit',
  saved: 'Saved {text}; {next}',
  savedOnline: 'uploading',
  savedOffline: 'will upload when online',
  pickIndicator: 'Choose an activity',
  needValue: 'Enter a quantity',
  badValue: 'The quantity must be a number of 0 or more',
  wholeValue: '{name} must be a whole number',
  decimalsValue: '{name} allows at most {d} decimals',
  tooLarge: 'The quantity is too large',
  futureDate: 'The date cannot be after today',
  online: 'Online',
  offline: 'Offline',
  pending: '{n} to upload',
  synced: 'All uploaded',
  syncing: 'Uploading {n}…',
  failed: '{n} need fixing',
  needsFix: 'Needs fixing',
  syncNow: 'Upload now',
  lastSync: 'Last upload {time}',
  queueTitle: 'Waiting to upload',
  queueEmpty: 'Nothing waiting',
  edit: 'Edit',
  remove: 'Delete',
  confirmRemove: 'Really delete?',
  backToForm: 'Moved back into the form; fix it and submit again',
  historyTitle: 'My entries',
  historyEmpty: 'No entries yet',
  historyOffline: 'Offline: showing the entries from the last sync',
  historyLoading: 'Loading…',
  showAll: 'Show all {n}',
  deleted: 'Deleted',
  deleteFailed: 'Not deleted: {msg}',
  deleteOffline: 'No network; cannot delete now',
  statusCounted: 'Counted',
  statusPending: 'Under review',
  statusRejected: 'Sent back',
  statusDeleted: 'Deleted',
  review: 'Unusually high; the district will check it',
  networkError: 'No connection; will retry',
  serverError: 'Server unavailable; will retry',
  install: 'Add to home screen',
  update: 'New version — tap to reload',
  lang: '中文',
  noOrgs: 'No unit to report for; contact your administrator',
  reporterOnly: 'This page is for village and community reporters',
  admin: 'Desktop site',
};

const KEY = 'fl.reporter.lang';
let lang: 'zh-CN' | 'en' = (() => {
  try {
    return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
})();

export const language = () => lang;
export function setLanguage(next: 'zh-CN' | 'en') {
  lang = next;
  document.documentElement.lang = next;
  try {
    localStorage.setItem(KEY, next);
  } catch {
    // not remembered
  }
}

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  const text = (lang === 'en' ? en : zh)[key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}
