// Words customers use for the same thing, in English and Chinese: "nicked" and "stolen",
// "碎了" and "坏了", "Norway" and "abroad". A KB starts with a few example questions per
// article, too few to learn that these mean alike; the classifier gets a shared concept
// feature for each group, so what it learns from one word carries over to the others.
// The groups are general support and shopping vocabulary, not any one KB's.
import { stem } from "./stem.ts";

/** Concept groups: English words and phrases, then after `|` Chinese terms. */
const GROUPS: Record<string, string> = {
  parcel: "parcel, package, packet, shipment, consignment, delivery, courier | 包裹 快递 快件 邮包 货物",
  arrive: "arrive, arrival, come, came, get here, show up, turn up, reach, delivered | 到货 送到 送达 到达 寄到 收到货",
  late: "late, delay, delayed, slow, taking forever, still waiting, overdue, so long, ages, not arrived, not here yet, still not | 迟迟 延迟 太慢 还没到 没到 还没来 一直没 太久 好几天 一个星期",
  stolen: "stolen, steal, stole, nicked, taken, theft, thief, swiped, pinched | 偷 被偷 拿走 被拿 丢了 丢失 不翼而飞",
  broken: "broken, broke, damaged, damage, smashed, cracked, crack, shattered, crushed, dented, torn, ripped, hole, defective, faulty, scratched, scratch, dead on arrival, leaking | 坏 损坏 碎 破 裂 压坏 压扁 划痕 瑕疵 有个洞 破损 质量问题 漏",
  wrong: "wrong, incorrect, mistake, different one, someone else, not what i ordered, not mine | 错 发错 不对 不是我 不一样 搞错",
  cancel: "cancel, cancellation, undo, call off, revoke, take back, by accident, by mistake, accidentally, not want it anymore | 取消 撤回 撤销 不要了 不想要 下错 拍错 买错",
  modify: "change, modify, edit, amend, alter, adjust, correct, fix, add, update | 改 修改 更改 变更 加一件 添加",
  exchange: "exchange, swap, replace, replacement, trade, another size, other size, bigger, smaller | 换货 调换 更换 换一 换个 换大 换小",
  send_back: "return, send back, sent back, ship back, give back, bring back, post back, returned | 退货 退回 寄回 退掉 退换 退件 寄回去",
  refund: "refund, money back, reimburse, reimbursement, credited, repay, repaid, my money, the money | 退款 退钱 钱 到账 返还 退给",
  price_drop: "cheaper, price drop, price dropped, reduced, went down, price difference, on sale, went on sale, percent off, off now, lower price | 降价 便宜 差价 价保 价格保护 降了",
  code: "promo, promo code, promotion, coupon, voucher, discount code, code | 优惠码 优惠券 折扣码 代金券 券 红包 兑换码",
  pay: "pay, payment, paid, paying, charge, transaction, purchase | 付款 支付 付钱 扣款 结算 付 扣钱 交易",
  card: "card, visa, mastercard, amex, debit, credit card, bank card, debit card | 卡 银行卡 信用卡 借记卡 储蓄卡",
  declined: "declined, decline, rejected, refused, failed, fail, not go through, denied, bounce, bounced | 失败 被拒 拒绝 不成功 没成功 刷不了 支付不了 付不了 付不上",
  wallet: "paypal, apple pay, google pay, alipay, wechat pay, venmo, bank transfer, cash | 支付宝 微信 微信支付 云闪付 银联 转账 现金",
  installments: "installment, instalment, pay later, monthly, split, klarna, afterpay, pay in 4, finance, financing, pay over time | 分期 花呗 白条 先买后付 按月 分几次",
  twice: "twice, double, two times, duplicate, charged again, two charges, two payments, same order twice, identical charges | 两次 重复 两笔 多扣 扣了两",
  login: "log in, login, logging in, sign in, signin, log on, get in, access my account, get into my account | 登录 登陆 登不上 登不进 进不去 登入 上不去",
  password: "password, passcode, pwd, passwd | 密码",
  locked: "locked, lock, blocked, block, suspended, frozen, banned, disabled, restricted account | 锁 锁定 冻结 封 封号 被封",
  sign_up: "sign up, signup, register, registration, create account, new account, open an account, join | 注册 开户 开通 新账号 建账号",
  remove_account: "delete, remove, close, deactivate, erase, get rid of, terminate | 注销 删除 删掉 销户",
  email: "email, e-mail, mail, inbox | 邮件 邮箱 电邮",
  text_message: "text, sms, text message, texts | 短信 信息 消息",
  notify: "notification, notifications, alert, alerts, reminder, notify, push, update me | 通知 提醒 推送",
  marketing: "unsubscribe, opt out, marketing, newsletter, spam, promotional, offers, ads, advertising, stop emailing | 退订 取消订阅 广告 推广 营销 促销 垃圾邮件",
  scam: "scam, phishing, fake, suspicious, fraud, legit, legitimate, genuine, really from you, is that you, dodgy, sketchy | 诈骗 骗 钓鱼 假 可疑 冒充 是真的吗 是你们发的",
  address: "address, adress, house number, street, flat number, apartment number, postcode, zip code, wrong address | 地址 门牌 收货地址 收件地址",
  move: "moved, moving, move house, relocate, relocating, new home, new flat, new house, new apartment | 搬家 新家 搬到 换地址",
  abroad:
    "abroad, overseas, international, internationally, another country, other countries, foreign, worldwide, outside the country, " +
    "usa, america, canada, mexico, brazil, uk, britain, england, scotland, ireland, france, germany, spain, italy, portugal, netherlands, holland, belgium, " +
    "switzerland, austria, sweden, norway, denmark, finland, iceland, poland, greece, russia, ukraine, china, japan, korea, india, australia, new zealand, " +
    "singapore, malaysia, thailand, vietnam, indonesia, philippines, dubai, uae, saudi, israel, turkey, egypt, africa, nigeria, kenya, argentina, chile, colombia, peru | " +
    "国外 海外 国际 境外 出国 外国 美国 加拿大 墨西哥 巴西 英国 爱尔兰 法国 德国 西班牙 意大利 葡萄牙 荷兰 比利时 瑞士 奥地利 瑞典 挪威 丹麦 芬兰 冰岛 波兰 希腊 " +
    "俄罗斯 乌克兰 日本 韩国 印度 澳大利亚 澳洲 新西兰 新加坡 马来西亚 泰国 越南 印尼 菲律宾 迪拜 阿联酋 以色列 土耳其 埃及 非洲 阿根廷 智利 香港 澳门 台湾",
  fast: "fast, faster, fastest, quick, quicker, quickest, express, expedite, expedited, urgent, urgently, asap, rush, next day, same day, overnight, priority | 加急 快点 更快 最快 次日达 当日达 当天 急 着急 急用 加快",
  shipping_fee: "postage, shipping cost, delivery cost, delivery charge, delivery fee, shipping fee, shipping price, how much is delivery, charge for delivery | 运费 邮费 快递费 包邮 免运费 配送费",
  free: "free, no charge, for free, free of charge, at no cost | 免费 包邮 不要钱 不收费",
  signature: "sign, signature, signed, sign for | 签收 签字 本人签收",
  not_home: "not home, not in, out, away, nobody home, no one home, neighbour, neighbor, porch, doorstep, door, leave it | 不在家 没人 门口 邻居 放门口",
  pickup: "pickup, pick up, collect, collection, locker, parcel shop, click and collect, drop point, pick it up | 自提 自取 取件 快递柜 驿站 提货 取货",
  size: "size, fit, fits, small, big, large, tight, loose, medium, xl, too small, too big | 尺码 码 大小 号 偏大 偏小 合身 不合适",
  colour: "colour, color, red, blue, black, white, grey, gray, green, pink, yellow, navy | 颜色 色",
  invoice: "invoice, receipt, vat, tax, expense, expenses, tax number, billing document | 发票 收据 小票 报销 税号 开票 专票",
  gift_card: "gift card, giftcard, gift voucher, store card, prepaid card, gift certificate | 礼品卡 购物卡 储值卡 礼券",
  gift: "gift, present, someone bought me, bought me, gave me, birthday present | 礼物 送的 别人送 送我",
  points: "points, rewards, reward, loyalty, membership rewards | 积分 奖励 会员积分",
  bulk: "bulk, wholesale, business order, corporate, office, units, large order, in bulk, for my company, for our team | 批量 批发 企业 团购 大量 一百件 采购",
  stock: "out of stock, sold out, restock, back in stock, unavailable, available again, in stock | 缺货 补货 卖完 没货 有货 到货提醒 断货",
  preorder: "pre-order, preorder, pre order, not released, release date, launch, coming soon | 预售 预订 预购 上市 发售",
  care: "wash, washing, clean, cleaning, machine wash, dishwasher, iron, ironing, dry clean, tumble dry | 洗 清洗 机洗 保养 清洁 洗碗机 水洗 干洗",
  warranty: "warranty, guarantee, repair, stopped working, covered, broke after, died after | 保修 质保 维修 修 保固 坏了能修",
  app: "app, application, iphone, android, phone app, mobile | 手机 应用 客户端",
  crash: "crash, crashes, crashing, crashed, freeze, freezes, shuts down, closes, keeps closing, won't open, not opening | 闪退 卡死 崩溃 卡住 打不开 退出 卡顿",
  website: "website, site, page, webpage, web page, browser, loading, load, blank page | 网站 网页 页面 浏览器 加载 空白",
  accessibility: "accessible, accessibility, screen reader, blind, visually impaired, disability, disabled user, keyboard only, font size, low vision | 无障碍 读屏 视障 盲人 残障 字体 视力",
  human: "human, person, agent, representative, someone, staff, real person, phone number, call, speak to, talk to | 人工 真人 客服 电话 接线员",
  data: "data, information, info, personal details, my details | 数据 信息 资料 个人信息 隐私",
  sell_data: "sell, share, third party, third parties, sold, give away | 卖给 出售 泄露 第三方 分享 卖",
  export: "download, export, copy, get a copy | 下载 导出 副本 拷贝",
  chat: "chat, conversation, transcript, recorded, record, recording, chat log | 聊天 对话 聊天记录 录音 聊天内容",
  cookie: "cookie, cookies, tracking cookies, consent | cookie 跟踪",
  two_factor: "two factor, 2fa, two-step, two step, 2-step, verification code, authenticator, otp, security code, mfa, one-time code | 两步验证 双重认证 二次验证 验证码 身份验证 双重验证",
  profile: "name, surname, last name, nickname, username, phone number, email address, profile, details | 名字 姓名 昵称 用户名 手机号 个人资料",
  currency: "currency, dollars, euros, pounds, usd, eur, gbp, yuan, rmb, exchange rate, conversion, foreign transaction | 币种 货币 人民币 美元 欧元 英镑 汇率 外币",
  confirmation: "confirmation, confirm, confirmed, went through, go through, order number | 确认 成功了吗 下单成功 订单号",
  history: "history, past orders, old orders, previous orders, bought before, earlier orders, order list | 历史 以前 之前 过去的订单 订单列表",
  partial: "less, partial, short, not the full, only part, smaller, not enough, missing money, quid short | 少了 不全 部分 少退 不够 不对",
  missing_item: "missing, only got, incomplete, not in the box, left out, one short, not all | 少发 漏发 缺 少了一件 没发全 少一件",
  restricted: "battery, batteries, lithium, power bank, perfume, aerosol, liquid, restricted, dangerous, prohibited, flammable | 电池 充电宝 锂电池 香水 液体 违禁 限制 危险品",
  hygiene: "underwear, swimwear, swimsuit, bikini, earrings, earring, piercing, cosmetics, makeup, opened, hygiene, final sale, clearance, lingerie, socks | 内衣 内裤 泳衣 耳环 耳钉 化妆品 拆封 特价 清仓 卫生 袜子",
  deadline: "too late, after 30 days, deadline, return period, return window, days ago, weeks ago, month ago, months ago, past the date | 过期 期限 超过 晚了 一个多月 多少天内",
  progress: "status, progress, processed, processing, received my return, got my return, update on | 进度 处理 收到了吗 到哪一步 处理到",
  track: "track, tracking, where is, whereabouts, tracking number, tracking link, where my | 物流 跟踪 单号 到哪了 在哪 到哪 查件",
};

interface Entry {
  concept: string;
  /** Stemmed words of an English phrase. */
  words: string[];
}

const WORD_RUN = /[\p{L}\p{N}]+/gu;
const stems = (phrase: string) => [...phrase.toLowerCase().replace(/['’]/g, "").matchAll(WORD_RUN)].map((m) => stem(m[0]));

const BY_FIRST = new Map<string, Entry[]>();
const HAN: Array<[string, string]> = [];
for (const [concept, spec] of Object.entries(GROUPS)) {
  const [en = "", zh = ""] = spec.split("|");
  for (const phrase of en.split(",")) {
    const words = stems(phrase);
    if (!words.length) continue;
    const list = BY_FIRST.get(words[0]!) ?? [];
    list.push({ concept, words });
    BY_FIRST.set(words[0]!, list);
  }
  for (const term of zh.trim().split(/\s+/)) if (term) HAN.push([term, concept]);
}

/** The concepts an English word sequence (stemmed) mentions. */
export function latinConcepts(stemmed: string[]): Set<string> {
  const out = new Set<string>();
  stemmed.forEach((word, i) => {
    for (const entry of BY_FIRST.get(word) ?? []) {
      if (entry.words.every((w, k) => stemmed[i + k] === w)) out.add(entry.concept);
    }
  });
  return out;
}

/** The concepts a run of Han characters mentions. */
export function hanConcepts(run: string): Set<string> {
  const out = new Set<string>();
  for (const [term, concept] of HAN) if (run.includes(term)) out.add(concept);
  return out;
}

/** Every concept a text (already normalised) mentions, for tests and the classifier. */
export function conceptsOf(normalised: string): Set<string> {
  const out = new Set<string>();
  for (const m of normalised.matchAll(/(\p{Script=Han}+)|([\p{L}\p{N}' ’]+)/gu)) {
    for (const c of m[1] ? hanConcepts(m[1]) : latinConcepts(stems(m[2]!))) out.add(c);
  }
  return out;
}
