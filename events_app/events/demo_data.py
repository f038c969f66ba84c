"""The fictional people, answers and notes of the demo programme (see demo.py for how they are used).

Every name, company and story here is invented. People cluster the way a real programme's
members do: several alumni of the same 同期 and 出身部署 (石炭部 2005, 合金鉄部 2008,
化学品部 2012), with current employees of the same departments and joining years, so the
cohort tables of a report have something to say.
"""
from __future__ import annotations

TSUNAGU = "つなぐ商事株式会社"

# name, kana, affiliation, company now (alumni, guests), department (employees) or former department (alumni),
# joined, left. The position gives the e-mail address (demo01@alumni.example …), the key a re-run finds them by.
PEOPLE = (
    # alumni: the 石炭部 2005 cohort
    ("佐々木 美穂", "ササキ ミホ", "alumni", "株式会社ネクストグリッド", "石炭部", 2005, 2014),
    ("大野 健太郎", "オオノ ケンタロウ", "alumni", "あおばエナジー株式会社", "石炭部", 2005, 2016),
    ("三浦 恵", "ミウラ メグミ", "alumni", "株式会社グリーンパス", "石炭部", 2005, 2013),
    # the 合金鉄部 2008 cohort, and a 同期 from 経営企画部
    ("西村 和也", "ニシムラ カズヤ", "alumni", "北斗メタル株式会社", "合金鉄部", 2008, 2017),
    ("原田 朋子", "ハラダ トモコ", "alumni", "外資系コンサルティングファーム", "合金鉄部", 2008, 2019),
    ("中島 亮介", "ナカジマ リョウスケ", "alumni", "株式会社スチールリンク", "合金鉄部", 2008, 2015),
    ("山田 玲奈", "ヤマダ レナ", "alumni", "外資系コンサルティングファーム", "経営企画部", 2008, 2016),
    # the 化学品部 2012 cohort, a senior from the same department and a 2012 同期 from 石炭部
    ("加藤 さくら", "カトウ サクラ", "alumni", "フィンテックラボ株式会社", "化学品部", 2012, 2020),
    ("岡本 雄大", "オカモト ユウダイ", "alumni", "株式会社バイオマテリアルズ", "化学品部", 2012, 2018),
    ("藤井 彩花", "フジイ アヤカ", "alumni", "医療機器スタートアップ", "化学品部", 2012, 2021),
    ("林 真由美", "ハヤシ マユミ", "alumni", "医療機器スタートアップ", "化学品部", 2004, 2012),
    ("遠藤 由香", "エンドウ ユカ", "alumni", "株式会社ネクストグリッド", "石炭部", 2012, 2022),
    # the 2010 cohort across departments
    ("山本 翔太", "ヤマモト ショウタ", "alumni", "グローバルロジ株式会社", "物流事業部", 2010, 2017),
    ("村上 七海", "ムラカミ ナナミ", "alumni", "みらいベンチャーキャピタル株式会社", "投資部", 2010, 2018),
    ("森 千尋", "モリ チヒロ", "alumni", "株式会社モビリティーワン", "自動車部", 2010, 2018),
    # other alumni
    ("後藤 美咲", "ゴトウ ミサキ", "alumni", "株式会社ソラシド", "空港インフラ事業部", 2011, 2019),
    ("井上 結衣", "イノウエ ユイ", "alumni", "株式会社アグリテック", "食料部", 2013, 2019),
    ("橋本 葵", "ハシモト アオイ", "alumni", "NPO法人つなぐ未来", "広報部", 2007, 2015),
    ("石川 莉子", "イシカワ リコ", "alumni", "株式会社クラウドノート", "情報システム部", 2014, 2021),
    ("前田 浩二", "マエダ コウジ", "alumni", "ひかり銀行 経営企画部", "金融事業部", 1998, 2010),
    # current employees (現役): cohorts 2019, 2015, 2021, 2024 and 同期 of the alumni above
    ("中村 彩", "ナカムラ アヤ", "employee", "", "合金鉄部", 2019, None),
    ("青木 美月", "アオキ ミツキ", "employee", "", "化学品部", 2019, None),
    ("坂本 拓海", "サカモト タクミ", "employee", "", "石炭部", 2019, None),
    ("清水 悠斗", "シミズ ユウト", "employee", "", "人事部", 2019, None),
    ("小林 直樹", "コバヤシ ナオキ", "employee", "", "広報部", 2015, None),
    ("長谷川 亮", "ハセガワ リョウ", "employee", "", "石炭部", 2015, None),
    ("阿部 智也", "アベ トモヤ", "employee", "", "経理部", 2015, None),
    ("吉田 拓也", "ヨシダ タクヤ", "employee", "", "新規事業開発部", 2021, None),
    ("藤田 遥", "フジタ ハルカ", "employee", "", "新規事業開発部", 2021, None),
    ("近藤 翼", "コンドウ ツバサ", "employee", "", "広報部", 2021, None),
    ("木村 大地", "キムラ ダイチ", "employee", "", "石炭部", 2024, None),
    ("池田 陸", "イケダ リク", "employee", "", "合金鉄部", 2024, None),
    ("松本 健", "マツモト ケン", "employee", "", "空港インフラ事業部", 2011, None),
    ("小川 聡", "オガワ サトシ", "employee", "", "合金鉄部", 2008, None),
    ("金子 直美", "カネコ ナオミ", "employee", "", "化学品部", 2012, None),
    ("上田 真央", "ウエダ マオ", "employee", "", "人事部", 2012, None),
    ("山口 結菜", "ヤマグチ ユイナ", "employee", "", "石炭部", 2019, None),
    ("石田 航", "イシダ ワタル", "employee", "", "合金鉄部", 2021, None),
    ("斉藤 恭平", "サイトウ キョウヘイ", "employee", "", "化学品部", 2015, None),
    ("中川 陽菜", "ナカガワ ヒナ", "employee", "", "化学品部", 2024, None),
    # a guest
    ("岡田 蓮", "オカダ レン", "guest", "大学院 博士課程", "", None, None),
)

# --- the winter mixer (upcoming): venue full, a waitlist, online seats --------------------
MIXER_IN_PERSON = ("佐々木 美穂", "大野 健太郎", "西村 和也", "中島 亮介", "加藤 さくら", "岡本 雄大", "後藤 美咲",
                   "村上 七海", "中村 彩", "小林 直樹", "長谷川 亮", "木村 大地", "小川 聡", "金子 直美")
MIXER_WAITLIST = ("三浦 恵", "青木 美月", "池田 陸")
MIXER_ONLINE = ("前田 浩二", "井上 結衣", "森 千尋", "石川 莉子")

# --- 壁打ちナイト (upcoming, approval): employees' ideas and their table (A–D) ---------------
KABEUCHI_CONFIRMED = (
    ("木村 大地", "A", "石炭部の知見を活かしたカーボンクレジット取引の社内ベンチャー", True),
    ("長谷川 亮", "A", "石炭火力向けアンモニア混焼燃料のサプライチェーン", True),
    ("藤田 遥", "B", "空港の遊休スペースを使った地方産品の越境 EC", False),
    ("坂本 拓海", "B", "鉱山設備の予知保全データを使った保険商品", True),
    ("池田 陸", "C", "若手社員の社内副業マッチング", True),
    ("中村 彩", "C", "合金鉄のスクラップ由来トレーサビリティの商品化", False),
    ("青木 美月", "D", "化学品の小口物流をまとめる共同配送の発信戦略", True),
    ("吉田 拓也", "D", "中小メーカー向け脱炭素支援サービスのブランドづくり", True),
)
KABEUCHI_PENDING = (
    ("小林 直樹", "アルムナイのストーリーを発信するオウンドメディア", True),
    ("松本 健", "地方空港を起点にした MaaS 実証", False),
    ("近藤 翼", "社内広報動画の制作を内製化するサービス", True),
)

WEBINAR_ONLINE = ("吉田 拓也", "藤田 遥", "池田 陸", "木村 大地", "青木 美月", "坂本 拓海", "近藤 翼", "清水 悠斗",
                  "上田 真央", "石川 莉子", "井上 結衣", "岡田 蓮")

# --- the autumn mixer (past) ---------------------------------------------------------------
PAST_NOT_REGISTERED = ("岡田 蓮", "池田 陸", "吉田 拓也", "青木 美月", "藤田 遥")
PAST_CANCELLED = ("石川 莉子", "阿部 智也")
PAST_NO_SHOWS = ("前田 浩二", "井上 結衣", "近藤 翼")
PAST_WALK_INS = ("岡本 雄大", "坂本 拓海")  # came along with their 同期 on the night

# The tables after the talk; people are seated by their (former) department.
PAST_TABLES = (
    ("テーブルA：脱炭素と資源ビジネスのいま", "Table A: decarbonisation and resources today",
     ("石炭部", "合金鉄部", "食料部", "物流事業部")),
    ("テーブルB：商社からスタートアップへ", "Table B: from a trading house to a start-up",
     ("化学品部", "投資部", "自動車部", "空港インフラ事業部", "情報システム部", "新規事業開発部")),
    ("テーブルC：出戻り・副業・業務委託 ― アルムナイと働く", "Table C: rehiring, side projects and contracting with alumni",
     ()),
)
PAST_TABLE_HOSTS = (  # person, role, current title, profile, the title and profile in English
    ("佐々木 美穂", "host", "事業開発部長", "石炭部で豪州炭のトレードを担当後、再エネの電力データ事業へ。",
     "Head of Business Development", "Traded Australian coal in the Coal Department, then moved into "
     "renewable power data."),
    ("林 真由美", "speaker", "代表取締役", "化学品部で医療用樹脂を担当。退職後に医療機器スタートアップを共同創業。",
     "Co-founder and CEO", "Handled medical-grade resins in the Chemicals Department, then co-founded a "
     "medical device start-up."),
    ("上田 真央", "moderator", "人事部 アルムナイ担当", "アルムナイの再入社・副業受け入れ制度の設計を担当。",
     "Alumni Relations, Human Resources", "Designs the schemes that let alumni rejoin the company or work "
     "with it on side projects."),
)

# name: (score, most useful, comments, introduction request, would host a table)
PAST_SURVEY = {
    "佐々木 美穂": (10, "同期との再会",
                "石炭部の2005年同期が3人そろい、10年ぶりに近況を話せました。現役の石炭部の方とも脱炭素の事業の話ができ、"
                "つながりが広がりました。",
                "石炭部の長谷川さんと、カーボンクレジット調達の協業について改めて打ち合わせたいです。", True),
    "大野 健太郎": (9, "同期との再会", "懐かしい顔ぶれに会えて満足です。テーブルの時間がもう少し長いとよかった。", "", True),
    "三浦 恵": (8, "現役社員との交流", "現役の若手の方が事業アイデアを持ってきてくれて刺激になりました。", "", False),
    "西村 和也": (9, "同期との再会",
               "合金鉄部の同期と、現役の小川さんと久しぶりに同じテーブルに。名刺交換の時間をもっと取ってほしいです。",
               "新規事業開発部の方に、当社のリサイクル合金の用途開発をご紹介したいです。", True),
    "原田 朋子": (8, "アルムナイトーク", "トークが具体的で参考になりました。会場が少し狭く、後半は声が聞き取りにくかったです。",
               "", False),
    "加藤 さくら": (10, "現役社員との交流",
                "化学品部の同期と現役の金子さんに会えて、キャリアの話を率直にできました。出戻り採用の話も聞けてよかったです。",
                "人事部の方と、アルムナイの副業・業務委託の受け入れについてお話ししたいです。", False),
    "藤井 彩花": (9, "アルムナイトーク", "医療機器ビジネスのテーブルで、事業の壁打ちができたのが収穫でした。", "", True),
    "山本 翔太": (7, "現役社員との交流", "料理と飲み物が早めになくなってしまいました。交流の時間は十分でした。", "", False),
    "後藤 美咲": (9, "アルムナイトーク", "空港インフラ事業部の同期の松本さんと再会し、スタートアップとの協業の可能性を話せました。",
               "空港インフラ事業部の部長に、地方空港の MaaS 実証の件でご紹介いただきたいです。", False),
    "中村 彩": (9, "アルムナイトーク", "合金鉄部 OB の方のキャリアの話が聞けて、自分のキャリアを考えるきっかけになりました。",
              "北斗メタルの西村さんに、電炉向けの新規取引についてご相談したいです。", False),
    "小林 直樹": (8, "アルムナイとの交流", "広報部 OB・OG の方と発信の仕方について議論できました。社内報で紹介したいです。", "", False),
    "長谷川 亮": (10, "アルムナイとの交流",
               "元・石炭部の先輩方から事業の立ち上げ方を直接聞けました。次回はテーブルのテーマを事前に知りたいです。",
               "ネクストグリッドの佐々木さんと、排出量データ連携の協業を具体的に進めたいです。", False),
    "清水 悠斗": (8, "アルムナイとの交流", "人事として、出戻り採用や副業に関心のあるアルムナイの方と話せたのが大きいです。",
               "医療機器スタートアップの林さんに、中途採用についてご意見を伺いたいです。", False),
    "坂本 拓海": (6, "アルムナイとの交流",
               "当日参加でしたが受付はスムーズでした。ただ、19時前後は受付が混雑していて、トークの冒頭を聞き逃しました。", "", False),
    "松本 健": (9, "同期との再会", "同期の後藤さんと再会。スタートアップとの協業のテーマで議論が深まりました。", "", False),
    "上田 真央": (9, "同期との再会", "化学品部の2012年同期がそろっていて、人事としても同期のつながりの強さを実感しました。", "", False),
}

PAST_NOTES = (  # (days after the event, highlight, body)
    (1, True, "石炭部2005年同期の OB・OG 3名と現役の石炭部メンバーのテーブルから、排出量データ連携の協業検討が始まりました。"
              "次回の壁打ちナイトでフォローします。"),
    (1, False, "受付は18:50〜19:05に集中。次回は受付を2列にし、前日にQRコードをメールで再送します。"
               "料理は後半に不足したため、次回は1.2倍で手配します。"),
)
