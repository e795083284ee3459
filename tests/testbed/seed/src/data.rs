//! Word lists and name pools for the generator.

/// Common English words, so full-text search has something real to find.
pub const WORDS: &str = "\
the of and to in is that it for was on are as with his they at be this from \
have or by one had not but what all were when we there can an your which their \
said if do will each about how up out them then she many some so these would \
other into has more her two like him see time could no make than first been its \
who now people my made over did down only way find use may water long little very \
after words called just where most know get through back much before go good new \
write our used me man too any day same right look think also around another came \
come work three word must because does part even place well such here take why \
things help put years different away again off went old number great tell men say \
small every found still between name should home big give air line set own under \
read last never us left end along while might next sound below saw something \
thought both few those always looked show large often together asked house world \
going want school important until form food keep children feet land side without \
boy once animals life enough took sometimes four head above kind began almost live \
page got earth need far hand high year mother light parts country father let night \
following picture being study second eyes soon times story boys since white days \
ever paper hard near sentence better best across during today others however sure \
means knew its try told young miles sun ways thing whole hear example heard several \
change answer room sea against top turned learn point city play toward five using \
himself usually money seen car morning given body family later order move \
project meeting schedule budget report draft review deadline invoice contract \
release version server database network backup update feature issue ticket \
customer account payment shipment delivery warehouse quarter revenue forecast \
proposal agenda minutes summary feedback approval request question answer \
document spreadsheet presentation slides calendar conference travel hotel flight \
train airport office team manager director engineer designer developer tester \
weekend holiday vacation birthday dinner lunch coffee breakfast garden kitchen \
weather rain snow sunshine river mountain forest ocean island village harbour \
library museum theatre concert festival market bakery pharmacy hospital \
bicycle newsletter subscription discount offer coupon receipt warranty \
password security login migration deployment staging production rollback \
performance latency throughput benchmark memory storage capacity cluster \
kernel compiler library framework interface protocol message mailbox folder \
attachment signature thread archive search index filter label priority \
tomorrow yesterday monday tuesday wednesday thursday friday saturday sunday \
january february march april june july august september october november december \
quick brown fox lazy dog apple banana orange lemon cherry grape pepper salt \
green blue red yellow purple silver golden bright quiet happy careful simple";

/// Words with accents and other non-ASCII letters, mixed into UTF-8 bodies.
pub const WORDS_UTF8: &str = "\
café naïve Zürich résumé façade coöperate déjà vu fiancée crème brûlée jalapeño \
piñata Ångström smörgåsbord Köln München Düsseldorf Straße Grüße über schön \
Mädchen Bäckerei Genève Montréal Québec élève été hôtel forêt château garçon \
señor mañana año niño Málaga São Paulo Kraków Łódź Gdańsk Dvořák Škoda Tromsø \
Ærøskøbing Reykjavík Þingvellir İstanbul Ελλάδα Αθήνα Москва Санкт-Петербург \
東京 大阪 北京 上海 서울 ありがとう 你好 привет merci danke gracias obrigado \
naïveté entrée soirée protégé touché rosé doppelgänger Fräulein Führerschein";

pub const FIRST_NAMES: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Christopher",
    "Lisa",
    "Daniel",
    "Nancy",
    "Matthew",
    "Betty",
    "Anthony",
    "Margaret",
    "Mark",
    "Sandra",
    "Donald",
    "Ashley",
    "Steven",
    "Kimberly",
    "Paul",
    "Emily",
    "Andrew",
    "Donna",
    "Joshua",
    "Michelle",
    "Kenneth",
    "Carol",
    "Kevin",
    "Amanda",
    "Brian",
    "Melissa",
    "George",
    "Deborah",
    "Priya",
    "Arjun",
    "Wei",
    "Mei",
    "Hiroshi",
    "Yuki",
    "Olusegun",
    "Amara",
    "Mohammed",
    "Fatima",
    "Lars",
    "Ingrid",
    "Pieter",
    "Anneke",
    "Giulia",
    "Marco",
    "José",
    "María",
    "Zoë",
    "Björn",
    "François",
    "Hélène",
    "Łukasz",
    "Søren",
    "Jürgen",
    "Günther",
    "Renée",
    "Inés",
    "Ørjan",
    "Chloé",
    "Radek",
    "Ágnes",
    "Siobhán",
    "Seán",
    "Zoltán",
    "Małgorzata",
    "Ståle",
    "Noémie",
    "Andrés",
    "Çağla",
];

pub const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Patel",
    "Sharma",
    "Chen",
    "Wang",
    "Tanaka",
    "Sato",
    "Okafor",
    "Mensah",
    "Haddad",
    "Larsen",
    "de Vries",
    "Rossi",
    "Bianchi",
    "O'Brien",
    "MacDonald",
    "Kowalski",
    "Müller",
    "Schröder",
    "Gómez",
    "Núñez",
    "Lefèvre",
    "Bergström",
    "Jørgensen",
    "Wójcik",
    "Čapek",
    "Öztürk",
    "Dubois",
    "Dvořák",
    "Ibáñez",
    "Østergaard",
    "Håkansson",
];

/// Names written in a non-Latin script (used whole, as the display name).
pub const SCRIPT_NAMES: &[(&str, &str)] = &[
    ("山田 太郎", "yamada"),
    ("佐藤 花子", "hanako.sato"),
    ("李 明", "li.ming"),
    ("王 芳", "wang.fang"),
    ("김 민준", "minjun.kim"),
    ("Иван Петров", "ivan.petrov"),
    ("Ольга Смирнова", "olga"),
    ("Γιώργος Παπαδόπουλος", "giorgos"),
    ("محمد علي", "m.ali"),
    ("דוד כהן", "david.cohen"),
    ("陈 静", "chen.jing"),
    ("鈴木 一郎", "ichiro"),
];

pub const DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "mail.example.com",
    "corp.example.com",
    "lists.example.org",
    "example.co.uk",
    "uni.example.edu",
    "shop.example.net",
    "dev.example.org",
    "news.example.com",
    "example.de",
    "example.fr",
    "example.jp",
];

pub const COMPANIES: &[&str] = &[
    "Example Corp",
    "Acme Widgets Ltd",
    "Northwind Traders",
    "Contoso GmbH",
    "Fabrikam Inc.",
    "Globex",
    "Initech",
    "Umbrella Research",
    "Wayne Logistics",
    "Tern Mail Project",
    "Hooli",
    "Soylent Foods",
    "Vandelay Industries",
];

pub const LISTS: &[&str] = &[
    "rust-users",
    "tern-dev",
    "debian-announce",
    "book-club",
    "hiking",
    "ops-alerts",
    "kernel-janitors",
    "photo-society",
];

/// Subject phrases with non-ASCII characters (accents, CJK, emoji, ...).
pub const SUBJECTS_UTF8: &[&str] = &[
    "Café meeting in Zürich",
    "Résumé for the naïve design review",
    "Über die Änderungen im Vertrag",
    "Façade renovation: déjà vu",
    "Crème brûlée recipe for Saturday",
    "会議の議事録",
    "季度报告 Q3",
    "안녕하세요 — project update",
    "🎉 Party on Friday!",
    "Status update ✅",
    "Καλημέρα από την Αθήνα",
    "Привет из Москвы",
    "Straße gesperrt — Umleitung",
    "Señor Núñez: mañana a las 10",
    "Tromsø trip 🚀 photos",
    "Prix spéciaux pour l'été",
    "Grüße aus München",
    "Smörgåsbord at the office ☕",
    "東京オフィス移転のお知らせ",
    "naïve question about UTF-8 ✉️",
    "Ærøskøbing ferry schedule",
    "Łódź conference — agenda",
    "Bäckerei order #{n}",
    "Kraków → Gdańsk train tickets",
];

pub const SUBJECT_TEMPLATES: &[&str] = &[
    "{W} {w} {w}",
    "{W} {w} {w} {w} {w}",
    "Meeting about the {w} {w}",
    "Question about {w} {w}",
    "Invoice #{n}",
    "Your order {n} has shipped",
    "Weekly {w} digest #{n}",
    "Quarterly {w} report",
    "Reminder: {w} on {day}",
    "Lunch on {day}?",
    "[{list}] {W} {w} {w}",
    "[{list}] {W} {w} {w} {w}",
    "Draft {w} proposal v{n}",
    "Action required: {w} {w}",
    "FYI: {w} {w} {w}",
    "{W} {w} — notes from {day}",
    "Thoughts on {w} and {w}",
    "Updated {w} schedule for {month}",
    "Photos from the {w} {w}",
    "Re-scheduling our {w} {w} (was: {w} {w})",
];

pub const DAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
pub const MONTHS: &[&str] = &[
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
pub const MONTHS_LONG: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub const GREETINGS: &[&str] = &[
    "Hi {name},",
    "Hello {name},",
    "Dear {name},",
    "Hey {name}!",
    "{name},",
    "Good morning,",
];
pub const CLOSINGS: &[&str] = &[
    "Best regards,",
    "Thanks,",
    "Cheers,",
    "Kind regards,",
    "Best,",
    "Grüße,",
    "Merci,",
];

pub const MAILERS: &[&str] = &[
    "Mozilla Thunderbird 115.6.0",
    "Apple Mail (2.3731.700.6)",
    "Microsoft Outlook 16.0",
    "Evolution 3.46.4",
    "Mutt/2.2.9 (2022-11-12)",
    "K-9 Mail for Android",
    "Roundcube Webmail/1.6.5",
];

pub const ATTACH_ASCII: &[&str] = &[
    "report-{y}-Q{q}.pdf",
    "invoice-{n}.pdf",
    "scan_{n}.pdf",
    "minutes.pdf",
    "contract-signed.pdf",
    "IMG_{n}.png",
    "screenshot.png",
    "diagram-v{q}.png",
    "chart.png",
    "slides.pdf",
];
pub const ATTACH_UTF8: &[&str] = &[
    "Übersicht {y}.pdf",
    "résumé.pdf",
    "会議資料.pdf",
    "фото.png",
    "Zürich plan.png",
    "naïve design.pdf",
    "Straßenkarte {y}.png",
    "Präsentation für das Café in Genève {y} (endgültige Fassung).pdf",
    "写真_{n}.png",
    "Rechnung Nr. {n} – März.pdf",
];

/// Splits a word list string into words once.
pub fn words(list: &'static str) -> Vec<&'static str> {
    list.split_whitespace().collect()
}
