// Traditional → Simplified Chinese folding for matching: a customer writing 訂單 or 退貨
// finds articles written as 订单 and 退货. Covers the characters common in customer
// service, commerce and everyday questions; characters not listed pass through unchanged.

const PAIRS =
  "訂订單单貨货運运費费帳账賬账號号碼码郵邮遞递換换還还錢钱戶户買买賣卖價价稅税發发個个們们這这麼么嗎吗說说話话請请問问題题關关於于時时間间會会過过來来沒没為为與与從从後后幫帮聯联繫系係系務务網网頁页錄录記记設设刪删隱隐數数據据應应閃闪開开啟启閉闭錯错誤误無无線线連连轉转專专員员議议讓让東东壞坏損损質质舊旧顏颜褲裤裝装禮礼餘余額额積积點点優优動动態态狀状況况處处級级緊紧長长幾几週周內内國国際际輸输車车機机場场區区縣县鄉乡鎮镇樓楼門门電电簡简訊讯驗验證证認认識识別别確确實实貼贴寫写讀读聽听見见覺觉現现變变壓压盤盘櫃柜箱箱盒盒張张條条雙双對对錶表鐘钟燈灯熱热氣气溫温濕湿淨净潔洁衛卫護护醫医藥药療疗療疗體体靈灵廣广歡欢樂乐愛爱親亲戀恋夢梦鬧闹驚惊嚇吓擔担憂忧懷怀惱恼煩烦氣气罵骂嘆叹讚赞謝谢歉歉謊谎騙骗詐诈險险盜盗搶抢丟丢遺遗損损虧亏賠赔償偿還还貸贷債债稅税資资產产財财銀银庫库幣币匯汇兌兑換换漲涨跌跌虧亏盈盈營营銷销廠厂產产農农礦矿鐵铁鋼钢銅铜鋁铝紙纸筆笔書书報报雜杂誌志圖图畫画觀观戲戏劇剧藝艺術术聲声響响樂乐歌歌視视頻频錄录攝摄像像絲丝綢绸織织紡纺縫缝線线鈕钮釦扣鞋鞋襪袜帽帽圍围巾巾飾饰鑽钻戒戒鏈链環环鐲镯錶表鏡镜傘伞袋袋包包箱箱櫥橱櫃柜桌桌椅椅床床墊垫燈灯廚厨鍋锅碗碗盤盘筷筷壺壶瓶瓶罐罐盒盒餐餐飯饭麵面湯汤魚鱼雞鸡鴨鸭豬猪肉肉蝦虾蟹蟹蔬蔬菜菜果果糧粮麥麦蘋苹葡葡萄萄橙橙檸柠檬檬茶茶咖咖啡啡奶奶酒酒飲饮瑪玛裡里裏里麗丽嚴严盡尽壽寿藝艺雲云霧雾風风颱台颳刮陽阳陰阴暫暂歲岁舉举擇择選选擁拥據据擴扩擾扰揮挥攜携權权標标樣样樹树構构槍枪檢检歷历殘残殺杀滿满滯滞漢汉濟济災灾爐炉牽牵獨独獲获環环產产畢毕異异療疗盡尽監监碼码確确禍祸窮穷競竞筆笔節节範范築筑簽签糾纠紅红約约級级紀纪納纳純纯紙纸細细終终組组結结絕绝給给統统經经綁绑維维網网緒绪練练總总績绩繼继續续罰罚習习聖圣聞闻聯联職职肅肃脫脱腦脑臨临興兴舊旧艱艰莊庄華华萬万葉叶著着蓋盖薦荐藍蓝蘭兰處处虛虚號号蟲虫術术補补襯衬規规視视親亲覽览觸触計计訊讯討讨訓训託托記记訪访許许訴诉診诊註注評评詞词試试詳详誌志認认語语誤误說说課课調调談谈請请論论諸诸謀谋講讲謹谨證证識识譯译護护讀读變变讓让豐丰豬猪貓猫貝贝負负貢贡財财責责貧贫貨货販贩貪贪貫贯貴贵貸贷費费貼贴貿贸賀贺資资賓宾賞赏賠赔賢贤賦赋質质賭赌購购賽赛趕赶趨趋跡迹踐践蹤踪躍跃軍军軟软載载輕轻較较輔辅輛辆輝辉輩辈輪轮辦办辭辞農农邊边週周進进運运過过達达違违遞递遠远適适遲迟遷迁選选遺遗還还鄰邻醜丑釋释針针釣钓鈴铃鉛铅銀银銅铜銳锐鋪铺鋼钢錄录錢钱錦锦鍵键鎖锁鏡镜鐘钟鑰钥長长門门閃闪閉闭開开閒闲間间閱阅闆板闊阔隊队階阶際际陸陆陳陈陣阵隨随險险隱隐雖虽雙双雜杂雞鸡離离難难電电靜静響响頁页頂顶項项順顺須须預预領领頭头頻频題题額额顏颜願愿類类顧顾顯显風风飛飞飯饭飽饱餅饼館馆馬马駐驻騎骑驗验體体髮发鬆松鬥斗魯鲁鮮鲜鳥鸟鳳凤鹽盐麥麦黃黄點点齊齐齒齿龍龙龜龟";

const FOLD = new Map<string, string>();
for (let i = 0; i + 1 < PAIRS.length; i += 2) FOLD.set(PAIRS[i]!, PAIRS[i + 1]!);

/** The text with Traditional characters replaced by their Simplified forms. */
export function foldTraditional(text: string): string {
  let out = "";
  for (const ch of text) out += FOLD.get(ch) ?? ch;
  return out;
}

const UNFOLD = new Map<string, string>();
for (const [traditional, simplified] of FOLD) if (!UNFOLD.has(simplified) && traditional !== simplified) UNFOLD.set(simplified, traditional);

/** The text written in Traditional characters where the table knows them: how a customer in Taiwan or Hong Kong might type it (tests use it). */
export function toTraditional(text: string): string {
  let out = "";
  for (const ch of text) out += UNFOLD.get(ch) ?? ch;
  return out;
}
