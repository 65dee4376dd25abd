// The ten built-in indicators of API.md, named as in the seed's work summary. Values are in
// hundredths (max_per_record too): the plausible maximum for one record from one unit on one day.
export const BUILTIN_INDICATORS = [
  { code: 'billboards', name: '户外广告牌', unit: '块', decimals: 0, max_per_record: 50_00 },
  { code: 'screens', name: '电子显示屏', unit: '块', decimals: 0, max_per_record: 100_00 },
  { code: 'banners', name: '标语横幅', unit: '条', decimals: 0, max_per_record: 500_00 },
  { code: 'leaflets', name: '宣传单', unit: '张', decimals: 0, max_per_record: 50_000_00 },
  { code: 'household_visits', name: '入户宣传走访', unit: '次', decimals: 0, max_per_record: 5_000_00 },
  { code: 'group_messages', name: '微信群QQ群信息', unit: '条', decimals: 0, max_per_record: 5_000_00 },
  { code: 'vehicle_trips', name: '宣传车', unit: '台次', decimals: 0, max_per_record: 100_00 },
  { code: 'loudspeakers', name: '小喇叭和流动音响', unit: '个', decimals: 0, max_per_record: 300_00 },
  { code: 'broadcast_hours', name: '村村通广播', unit: '小时', decimals: 1, max_per_record: 48_00 },
  { code: 'guides_printed', name: '防控行动指南', unit: '份', decimals: 0, max_per_record: 100_000_00 },
] as const;
