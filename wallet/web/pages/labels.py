"""The pages' words in Latvian, English and Russian, and the choice of a page's language.

A page is in the signed-in account's language; otherwise in the language of ``?lang=``
(lv, en or ru), then of the ``lang`` cookie; otherwise in Latvian. Error descriptions come
from the use-cases and stay in English, as the API gives them.
"""

from __future__ import annotations

from fastapi import Request

from wallet.accounts import LANGUAGES
from wallet.web.cookies import LANGUAGE_COOKIE

DEFAULT_LANGUAGE = "lv"
#: Each language's name in itself, for the language links and the register form.
ENDONYMS = {"lv": "latviešu", "en": "English", "ru": "русский"}

#: key → (lv, en, ru).
_LABELS: dict[str, tuple[str, str, str]] = {
    "site": ("IMK maciņš", "IMK Wallet", "Кошелёк IMK"),
    # Page titles.
    "title.register": ("Konta izveide", "Create an account", "Создание учётной записи"),
    "title.check_mail": ("Pārbaudiet e-pastu", "Check your e-mail", "Проверьте почту"),
    "title.verify": (
        "E-pasta adreses apstiprināšana",
        "Confirm your e-mail address",
        "Подтверждение адреса электронной почты",
    ),
    "title.verified": ("Adrese apstiprināta", "Address confirmed", "Адрес подтверждён"),
    "title.login": ("Pieteikšanās", "Sign in", "Вход"),
    "title.second_factor": ("Otrais faktors", "Second factor", "Второй фактор"),
    "title.forgot": ("Aizmirsta parole", "Forgotten password", "Забытый пароль"),
    "title.reset": ("Jauna parole", "A new password", "Новый пароль"),
    "title.account": ("Jūsu konts", "Your account", "Ваша учётная запись"),
    "title.setup": (
        "Otrā faktora iestatīšana",
        "Set up a second factor",
        "Настройка второго фактора",
    ),
    "title.recovery": ("Atkopšanas kodi", "Recovery codes", "Коды восстановления"),
    "title.error": ("Neizdevās", "That did not work", "Не получилось"),
    # Form fields.
    "field.email": ("E-pasta adrese", "E-mail address", "Адрес электронной почты"),
    "field.password": ("Parole", "Password", "Пароль"),
    "field.current_password": ("Pašreizējā parole", "Current password", "Текущий пароль"),
    "field.new_password": ("Jaunā parole", "New password", "Новый пароль"),
    "field.language": ("Valoda", "Language", "Язык"),
    "field.code": (
        "Kods no autentifikatora lietotnes vai atkopšanas kods",
        "Code from the authenticator app, or a recovery code",
        "Код из приложения-аутентификатора или код восстановления",
    ),
    "field.app_code": (
        "Kods no autentifikatora lietotnes",
        "Code from the authenticator app",
        "Код из приложения-аутентификатора",
    ),
    # Buttons.
    "button.register": ("Izveidot kontu", "Create the account", "Создать учётную запись"),
    "button.verify": ("Apstiprināt adresi", "Confirm the address", "Подтвердить адрес"),
    "button.login": ("Pieteikties", "Sign in", "Войти"),
    "button.continue": ("Turpināt", "Continue", "Продолжить"),
    "button.send_link": ("Nosūtīt saiti", "Send the link", "Отправить ссылку"),
    "button.reset": ("Saglabāt jauno paroli", "Save the new password", "Сохранить новый пароль"),
    "button.change_password": ("Mainīt paroli", "Change the password", "Изменить пароль"),
    "button.delete": ("Dzēst kontu", "Delete the account", "Удалить учётную запись"),
    "button.setup": ("Iestatīt otro faktoru", "Set up a second factor", "Настроить второй фактор"),
    "button.confirm": (
        "Ieslēgt otro faktoru",
        "Turn on the second factor",
        "Включить второй фактор",
    ),
    "button.link": (
        "Piesaistīt personas kodu",
        "Link my personal code",
        "Привязать персональный код",
    ),
    "button.logout": ("Iziet", "Sign out", "Выйти"),
    # Sentences.
    "text.check_mail": (
        "Ja šo adresi var izmantot jaunam kontam, mēs uz to nosūtījām saiti. Atveriet to, lai "
        "apstiprinātu adresi, un tad piesakieties.",
        "If the address can be used for a new account, we have sent a link to it. Open it to "
        "confirm the address, then sign in.",
        "Если этот адрес можно использовать для новой учётной записи, мы отправили на него "
        "ссылку. Откройте её, чтобы подтвердить адрес, затем войдите.",
    ),
    "text.verify": (
        "Nospiediet pogu, lai apstiprinātu savu e-pasta adresi.",
        "Press the button to confirm your e-mail address.",
        "Нажмите кнопку, чтобы подтвердить адрес электронной почты.",
    ),
    "text.verified": (
        "Jūsu e-pasta adrese ir apstiprināta. Tagad varat pieteikties.",
        "Your e-mail address is confirmed. You can sign in now.",
        "Ваш адрес электронной почты подтверждён. Теперь можно войти.",
    ),
    "text.forgot": (
        "Ievadiet sava konta e-pasta adresi; mēs nosūtīsim saiti jaunas paroles izvēlei.",
        "Enter the e-mail address of your account; we will send a link to choose a new password.",
        "Введите адрес электронной почты вашей учётной записи; мы пришлём ссылку для выбора "
        "нового пароля.",
    ),
    "text.forgot_sent": (
        "Ja šai adresei ir konts, saite jaunas paroles izvēlei jau ir ceļā.",
        "If the address has an account, a link to choose a new password is on its way.",
        "Если у этого адреса есть учётная запись, ссылка для выбора нового пароля уже в пути.",
    ),
    "text.second_factor": (
        "Ievadiet kodu no autentifikatora lietotnes vai kādu no atkopšanas kodiem.",
        "Enter the code from your authenticator app, or one of your recovery codes.",
        "Введите код из приложения-аутентификатора или один из кодов восстановления.",
    ),
    "text.setup": (
        "Pievienojiet šo atslēgu autentifikatora lietotnei (noskenējiet QR kodu vai ierakstiet "
        "atslēgu) un ievadiet kodu, ko tā rāda.",
        "Add this key to your authenticator app (scan the QR code or type the key), then enter "
        "the code it shows.",
        "Добавьте этот ключ в приложение-аутентификатор (отсканируйте QR-код или введите ключ), "
        "затем введите показанный код.",
    ),
    "text.setup_retry": (
        "Ievadiet jaunu kodu no lietotnes, kurai pievienojāt atslēgu, vai sāciet no jauna konta "
        "lapā.",
        "Enter a new code from the app you added the key to, or start again from your account "
        "page.",
        "Введите новый код из приложения, в которое добавили ключ, или начните заново на "
        "странице учётной записи.",
    ),
    "text.recovery": (
        "Glabājiet šos kodus drošā vietā. Katrs vienu reizi ļauj pieteikties, ja pazaudējat "
        "autentifikatora lietotni. Tie tiek rādīti tikai tagad.",
        "Keep these codes somewhere safe. Each one signs you in once if you lose your "
        "authenticator app. They are shown only now.",
        "Храните эти коды в надёжном месте. Каждый позволяет войти один раз, если вы потеряете "
        "приложение-аутентификатор. Они показываются только сейчас.",
    ),
    "text.must_setup": (
        "Jūs darbojaties iestādes vārdā: vispirms iestatiet otro faktoru.",
        "You act for an institution: set up a second factor before you can do so.",
        "Вы действуете от имени учреждения: сначала настройте второй фактор.",
    ),
    "text.personal_code": (
        "Personas kodu piesaista, piesakoties pie identitātes pakalpojuma sniedzēja; tas nav "
        "jāieraksta.",
        "Your personal code is linked by signing in at the identity provider; you never type "
        "it here.",
        "Персональный код привязывается через вход у поставщика идентификации; вводить его "
        "здесь не нужно.",
    ),
    "text.delete": (
        "Konta dzēšanu nevar atsaukt. Izsniegtie apliecinājumi paliek pie iestādēm.",
        "Deleting the account cannot be undone. Issued credentials stay with the institutions.",
        "Удаление учётной записи нельзя отменить. Выданные удостоверения остаются у учреждений.",
    ),
    # The account's details.
    "label.email": ("E-pasta adrese", "E-mail address", "Адрес электронной почты"),
    "label.role": ("Loma", "Role", "Роль"),
    "label.institution": ("Iestāde", "Institution", "Учреждение"),
    "label.language": ("Valoda", "Language", "Язык"),
    "label.email_proven": (
        "E-pasta adrese apstiprināta",
        "E-mail address confirmed",
        "Адрес подтверждён",
    ),
    "label.second_factor": ("Otrais faktors", "Second factor", "Второй фактор"),
    "label.personal_code": ("Personas kods", "Personal code", "Персональный код"),
    "label.secret": ("Atslēga", "Key", "Ключ"),
    "value.yes": ("Jā", "Yes", "Да"),
    "value.no": ("Nē", "No", "Нет"),
    "value.on": ("Ieslēgts", "On", "Включён"),
    "value.off": ("Izslēgts", "Off", "Выключен"),
    "value.linked": ("Piesaistīts", "Linked", "Привязан"),
    "value.not_linked": ("Nav piesaistīts", "Not linked", "Не привязан"),
    "value.none": ("—", "—", "—"),
    "role.learner": ("Izglītojamais", "Learner", "Учащийся"),
    "role.staff": ("Iestādes darbinieks", "Institution staff", "Сотрудник учреждения"),
    "role.operator": ("Operators", "Operator", "Оператор"),
    # Links.
    "link.home": ("Sākums", "Home", "Главная"),
    "link.register": ("Izveidot kontu", "Create an account", "Создать учётную запись"),
    "link.login": ("Pieteikties", "Sign in", "Войти"),
    "link.forgot": ("Aizmirsāt paroli?", "Forgot your password?", "Забыли пароль?"),
    "link.account": ("Jūsu konts", "Your account", "Ваша учётная запись"),
    # Notices after a redirect (``?notice=``).
    "notice.signed_out": ("Sesija ir beigta.", "You are signed out.", "Вы вышли."),
    "notice.password_changed": (
        "Parole ir nomainīta, un visas sesijas ir beigtas. Piesakieties vēlreiz.",
        "The password is changed and every session has ended. Sign in again.",
        "Пароль изменён, и все сеансы завершены. Войдите снова.",
    ),
    "notice.password_reset": (
        "Jaunā parole ir saglabāta. Piesakieties ar to.",
        "The new password is saved. Sign in with it.",
        "Новый пароль сохранён. Войдите с ним.",
    ),
    "notice.account_deleted": (
        "Konts ir dzēsts.",
        "The account is deleted.",
        "Учётная запись удалена.",
    ),
    "notice.personal_code_linked": (
        "Jūsu personas kods ir piesaistīts šim kontam.",
        "Your personal code is linked to this account.",
        "Ваш персональный код привязан к этой учётной записи.",
    ),
    "notice.credential_deleted": (
        "Apliecinājums ir dzēsts no maciņa.",
        "The credential is deleted from the wallet.",
        "Удостоверение удалено из кошелька.",
    ),
    "notice.credential_imported": (
        "Apliecinājums ir pievienots maciņam. Tā pārbaude ir redzama zemāk.",
        "The credential is added to your wallet. Its verification is shown below.",
        "Удостоверение добавлено в кошелёк. Его проверка показана ниже.",
    ),
    # The wallet (wallet/web/pages/wallet.py).
    "title.wallet": ("Mans maciņš", "My wallet", "Мой кошелёк"),
    "title.credential": ("Apliecinājums", "Credential", "Удостоверение"),
    "title.delete_credential": (
        "Apliecinājuma dzēšana",
        "Delete a credential",
        "Удаление удостоверения",
    ),
    "title.import": ("Apliecinājuma pievienošana", "Add a credential", "Добавление удостоверения"),
    "title.access_log": ("Piekļuves žurnāls", "Access log", "Журнал доступа"),
    "title.export": ("Datu eksports", "Export my data", "Экспорт данных"),
    "title.erase": ("Maciņa dzēšana", "Erase the wallet", "Удаление кошелька"),
    "title.erased": ("Maciņš ir dzēsts", "The wallet is erased", "Кошелёк удалён"),
    "link.wallet": ("Maciņš", "Wallet", "Кошелёк"),
    "link.import": ("Pievienot apliecinājumu", "Add a credential", "Добавить удостоверение"),
    "link.access_log": ("Piekļuves žurnāls", "Access log", "Журнал доступа"),
    "link.export": ("Eksportēt datus", "Export my data", "Экспортировать данные"),
    "link.erase": ("Dzēst maciņu", "Erase the wallet", "Удалить кошелёк"),
    "link.download_jwt": ("Lejupielādēt (.jwt)", "Download (.jwt)", "Скачать (.jwt)"),
    "link.download_json": ("Lejupielādēt (.json)", "Download (.json)", "Скачать (.json)"),
    "link.delete_credential": (
        "Dzēst šo apliecinājumu",
        "Delete this credential",
        "Удалить это удостоверение",
    ),
    "link.open_credential": (
        "Atvērt apliecinājumu",
        "Open the credential",
        "Открыть удостоверение",
    ),
    "link.cancel": ("Atcelt", "Cancel", "Отмена"),
    "link.previous": ("Iepriekšējā lapa", "Previous page", "Предыдущая страница"),
    "link.next": ("Nākamā lapa", "Next page", "Следующая страница"),
    "field.search": ("Meklēt nosaukumā", "Search in titles", "Поиск в названиях"),
    "field.type": ("Veids", "Type", "Тип"),
    "field.issuer": ("Izsniedzējs", "Issuer", "Издатель"),
    "field.year": ("Izsniegšanas gads", "Year of issue", "Год выдачи"),
    "field.sort": ("Kārtot", "Sort", "Сортировка"),
    "field.credential": (
        "Apliecinājums (kompaktais JWS vai JSON)",
        "The credential (compact JWS or JSON)",
        "Удостоверение (компактный JWS или JSON)",
    ),
    "field.include_keys": (
        "Iekļaut manas turētāja atslēgas",
        "Include my holder keys",
        "Включить мои ключи владельца",
    ),
    "field.passphrase": (
        "Frāze atslēgu šifrēšanai (vismaz 12 rakstzīmes, ne konta parole)",
        "Passphrase that encrypts the keys (at least 12 characters, not the account password)",
        "Фраза для шифрования ключей (не менее 12 символов, не пароль учётной записи)",
    ),
    "field.confirm_erase": (
        "Es saprotu, ka visi mani apliecinājumi un turētāja atslēgas tiks neatgriezeniski dzēsti.",
        "I understand that all my credentials and holder keys are erased for good.",
        "Я понимаю, что все мои удостоверения и ключи владельца будут удалены навсегда.",
    ),
    "button.filter": ("Rādīt", "Show", "Показать"),
    "button.import": ("Pievienot", "Add", "Добавить"),
    "button.delete_credential": ("Jā, dzēst", "Yes, delete it", "Да, удалить"),
    "button.export": ("Lejupielādēt arhīvu", "Download the archive", "Скачать архив"),
    "button.erase": ("Dzēst maciņu", "Erase the wallet", "Удалить кошелёк"),
    "value.any": ("Visi", "All", "Все"),
    "sort.date": ("Jaunākie vispirms", "Newest first", "Сначала новые"),
    "sort.-date": ("Vecākie vispirms", "Oldest first", "Сначала старые"),
    "sort.title": ("Pēc nosaukuma", "By title", "По названию"),
    "type.generic": ("Cits apliecinājums", "Other credential", "Другое удостоверение"),
    "trust.verified": ("Pārbaudīts", "Verified", "Проверено"),
    "trust.not-verified": ("Nav pārbaudīts", "Not verified", "Не проверено"),
    "trust.unknown-issuer": ("Nezināms izsniedzējs", "Unknown issuer", "Неизвестный издатель"),
    "source.issued": ("Izsniegts šeit", "Issued here", "Выдано здесь"),
    "source.imported": ("Pievienots no citurienes", "Imported", "Импортировано"),
    "result.passed": ("izturēta", "passed", "пройдена"),
    "result.failed": ("neizturēta", "failed", "не пройдена"),
    "result.unknown": ("nav zināms", "unknown", "неизвестно"),
    "result.not_applicable": ("neattiecas", "not applicable", "не применимо"),
    "label.title": ("Nosaukums", "Title", "Название"),
    "label.type": ("Veids", "Type", "Тип"),
    "label.issuer": ("Izsniedzējs", "Issuer", "Издатель"),
    "label.issuer_id": (
        "Izsniedzēja identifikators",
        "Issuer identifier",
        "Идентификатор издателя",
    ),
    "label.country": ("Valsts", "Country", "Страна"),
    "label.registration": ("Reģistrācijas numurs", "Registration number", "Регистрационный номер"),
    "label.accredited": (
        "Akreditēts šim veidam parakstīšanas brīdī",
        "Accredited for this type when it was signed",
        "Аккредитован для этого типа на момент подписи",
    ),
    "label.accreditation": (
        "Akreditācijas lēmumi",
        "Accreditation decisions",
        "Решения об аккредитации",
    ),
    "label.issued": ("Izsniegts", "Issued", "Выдано"),
    "label.added": ("Pievienots maciņam", "Added to the wallet", "Добавлено в кошелёк"),
    "label.source": ("Avots", "Source", "Источник"),
    "label.status": ("Statuss", "Status", "Статус"),
    "label.status_added": (
        "Statuss, kad pievienots",
        "Status when added",
        "Статус при добавлении",
    ),
    "label.claims": ("Saturs", "Contents", "Содержание"),
    "label.verification": ("Pārbaude", "Verification", "Проверка"),
    "label.checked_at": ("Pārbaudīts", "Checked at", "Время проверки"),
    "label.check": ("Pārbaude", "Check", "Проверка"),
    "label.result": ("Rezultāts", "Result", "Результат"),
    "label.reason": ("Pamatojums", "Reason", "Причина"),
    "label.at": ("Laiks", "Time", "Время"),
    "label.actor": ("Kas", "Who", "Кто"),
    "label.action": ("Darbība", "Action", "Действие"),
    "label.target": ("Ko", "What", "Что"),
    "label.erased_wallets": ("Dzēsti maciņi", "Wallets erased", "Удалено кошельков"),
    "label.removed": ("Dzēsts", "Removed", "Удалено"),
    "label.kept": ("Paliek", "Stays", "Остаётся"),
    "value.unknown_issuer": (
        "Nav uzticamības reģistrā",
        "Not in the trust registry",
        "Нет в реестре доверия",
    ),
    "text.wallet_empty": (
        "Jūsu maciņā vēl nav apliecinājumu.",
        "Your wallet holds no credentials yet.",
        "В вашем кошельке ещё нет удостоверений.",
    ),
    "text.no_match": ("Nekas neatbilst izvēlei.", "Nothing matches.", "Ничего не найдено."),
    "text.verified_now": (
        "Pārbaude atkārtota tikko: apliecinājums ir derīgs.",
        "Checked again just now: the credential is valid.",
        "Проверено заново только что: удостоверение действительно.",
    ),
    "text.not_verified_now": (
        "Pārbaude atkārtota tikko: apliecinājums nav derīgs.",
        "Checked again just now: the credential is not valid.",
        "Проверено заново только что: удостоверение недействительно.",
    ),
    "text.delete_credential": (
        "Vai tiešām dzēst šo apliecinājumu no maciņa? To nevar atsaukt. Iestādes ieraksts par "
        "izsniegto paliek.",
        "Delete this credential from your wallet? This cannot be undone. The institution's "
        "record of what it issued stays.",
        "Удалить это удостоверение из кошелька? Это нельзя отменить. Запись учреждения о "
        "выданном остаётся.",
    ),
    "text.import": (
        "Ielīmējiet apliecinājumu, ko saņēmāt citur: kompakto JWS vai "
        "EnvelopedVerifiableCredential JSON. Tas tiks pārbaudīts un saglabāts kopā ar "
        "pārbaudes rezultātu.",
        "Paste a credential you received elsewhere: the compact JWS, or the JSON of an "
        "EnvelopedVerifiableCredential. It is verified and kept with the result.",
        "Вставьте удостоверение, полученное в другом месте: компактный JWS или JSON "
        "EnvelopedVerifiableCredential. Оно будет проверено и сохранено вместе с результатом.",
    ),
    "text.access_log": (
        "Visi, izņemot jūs, kas ir lasījuši jūsu datus; jaunākie vispirms.",
        "Everyone other than you who read your data, newest first.",
        "Все, кроме вас, кто читал ваши данные; сначала новые.",
    ),
    "text.access_log_empty": (
        "Neviens vēl nav lasījis jūsu datus.",
        "Nobody has read your data yet.",
        "Ваши данные ещё никто не читал.",
    ),
    "text.export": (
        "Arhīvā ir jūsu konts, visi apliecinājumi ar pārbaudes rezultātiem un piekļuves "
        "žurnāls. Ievadiet paroli vēlreiz. Turētāja atslēgas tiek iekļautas tikai šifrētas ar "
        "jūsu izvēlētu frāzi.",
        "The archive holds your account, every credential with its verification results, and "
        "the access log. Enter your password again. Holder keys are included only encrypted "
        "under a passphrase you choose.",
        "Архив содержит вашу учётную запись, все удостоверения с результатами проверки и "
        "журнал доступа. Введите пароль ещё раз. Ключи владельца включаются только "
        "зашифрованными выбранной вами фразой.",
    ),
    "text.erase": (
        "Tiks neatgriezeniski dzēsti visi jūsu maciņi: apliecinājumi, turētāja atslēgas un "
        "piekļuves žurnāls. Vispirms varat eksportēt kopiju.",
        "Every wallet of yours is erased for good: the credentials, the holder keys and the "
        "access log. You can export a copy first.",
        "Все ваши кошельки будут удалены навсегда: удостоверения, ключи владельца и журнал "
        "доступа. Сначала можно экспортировать копию.",
    ),
    "text.removed_wallets": (
        "Jūsu maciņi ar to turētāja atslēgām.",
        "Your wallets, with their holder keys.",
        "Ваши кошельки с их ключами владельца.",
    ),
    "text.removed_credentials": (
        "Visi apliecinājumi tajos.",
        "Every credential in them.",
        "Все удостоверения в них.",
    ),
    "text.removed_log": ("To piekļuves žurnāls.", "Their access log.", "Их журнал доступа."),
    "text.kept_account": (
        "Jūsu konts: maciņa dzēšana nav konta slēgšana.",
        "Your account: erasing the wallet does not close the account.",
        "Ваша учётная запись: удаление кошелька не закрывает её.",
    ),
    "text.kept_records": (
        "Iestāžu ieraksti par to, ko tās izsniegušas: iestādēm tie jāglabā, un tie vajadzīgi "
        "atsaukšanai. To dzēšanu lūdziet iestādei.",
        "The institutions' records of what they issued: they must keep them, and revocation "
        "needs them. Ask the institution to erase those.",
        "Записи учреждений о выданном: учреждения обязаны их хранить, и они нужны для отзыва. "
        "Об их удалении просите учреждение.",
    ),
    "text.kept_audit": (
        "Audita žurnāls: kas ko un kad darīja, bez maciņa satura.",
        "The audit log: who did what and when, without any wallet content.",
        "Журнал аудита: кто, что и когда сделал, без содержимого кошелька.",
    ),
    "text.erased_later": (
        "Apliecinājumi, ko iestādes izsniegs vēlāk, tiks piegādāti jaunā maciņā. Dzēstos "
        "apliecinājumus var pievienot no saglabātas kopijas.",
        "Credentials that institutions issue later still arrive, in a new wallet. Erased ones "
        "can be added again from a saved copy.",
        "Удостоверения, выданные позже, по-прежнему поступят — в новый кошелёк. Удалённые "
        "можно добавить снова из сохранённой копии.",
    ),
    # Presenting an SD-JWT VC (wallet/web/pages/present.py).
    "title.present": (
        "Apliecinājuma uzrādīšana",
        "Present a credential",
        "Предъявление удостоверения",
    ),
    "title.presented": ("Uzrādījums ir gatavs", "The presentation is ready", "Предъявление готово"),
    "link.present": ("Uzrādīt", "Present", "Предъявить"),
    "link.back_to_credential": (
        "Atpakaļ pie apliecinājuma",
        "Back to the credential",
        "Назад к удостоверению",
    ),
    "text.present": (
        "Atzīmējiet, ko pārbaudītājs drīkst redzēt; neatzīmētais netiek atklāts. Dati, kas "
        "vienmēr redzami (piemēram, nosaukums un izsniedzējs), ir uzrādījumā vienmēr. Ievadiet "
        "pārbaudītāja domēnu un izaicinājumu, ko tas jums deva.",
        "Tick what the verifier may see; nothing unticked is disclosed. What is always shown "
        "(such as the title and the awarding body) is in every presentation. Enter the "
        "verifier's domain and the challenge it gave you.",
        "Отметьте, что проверяющий может увидеть; неотмеченное не раскрывается. То, что "
        "показывается всегда (например, название и выдавшее учреждение), есть в каждом "
        "предъявлении. Введите домен проверяющего и вызов, который он вам дал.",
    ),
    "text.present_nothing": (
        "Šim apliecinājumam nav datu, ko var izvēlēties: uzrādījumā būs tikai vienmēr redzamie.",
        "This credential has nothing you can choose: the presentation holds only what is "
        "always shown.",
        "В этом удостоверении нечего выбирать: предъявление содержит только то, что "
        "показывается всегда.",
    ),
    "label.choose_claims": ("Ko atklāt", "What to disclose", "Что раскрыть"),
    "field.domain": (
        "Pārbaudītāja domēns (piemēram, hr.example.lv)",
        "The verifier's domain (e.g. hr.example.lv)",
        "Домен проверяющего (например, hr.example.lv)",
    ),
    "field.challenge": (
        "Pārbaudītāja izaicinājums",
        "The verifier's challenge",
        "Вызов проверяющего",
    ),
    "button.present": ("Izveidot uzrādījumu", "Create the presentation", "Создать предъявление"),
    "text.presented": (
        "Nododiet šo uzrādījumu pārbaudītājam: nokopējiet tekstu vai ļaujiet noskenēt QR kodu. "
        "Tas ir piesaistīts pārbaudītāja domēnam un izaicinājumam, derīgs tikai neilgi un "
        "izmantojams vienu reizi. Nekas netiek saglabāts.",
        "Hand this presentation to the verifier: copy the text or let it scan the QR code. It "
        "is bound to the verifier's domain and challenge, is accepted only for a short time "
        "and only once. Nothing is stored.",
        "Передайте это предъявление проверяющему: скопируйте текст или дайте отсканировать "
        "QR-код. Оно привязано к домену и вызову проверяющего, принимается недолго и только "
        "один раз. Ничего не сохраняется.",
    ),
    "text.qr_too_long": (
        "Uzrādījums ir par garu QR kodam: nododiet tā tekstu.",
        "The presentation is too long for a QR code: hand over its text instead.",
        "Предъявление слишком длинное для QR-кода: передайте его текст.",
    ),
    "label.verifier": ("Pārbaudītājs", "Verifier", "Проверяющий"),
    "label.challenge": ("Izaicinājums", "Challenge", "Вызов"),
    "label.presentation": (
        "Uzrādījums (SD-JWT+KB)",
        "The presentation (SD-JWT+KB)",
        "Предъявление (SD-JWT+KB)",
    ),
    "label.disclosed": ("Atklātie dati", "Disclosed", "Раскрыто"),
    "text.disclosed_nothing": (
        "Nekas no izvēlamā: tikai vienmēr redzamie dati.",
        "Nothing you could choose: only what is always shown.",
        "Ничего из выбираемого: только то, что показывается всегда.",
    ),
    # The verifier's page (/verify).
    "title.check_credential": (
        "Apliecinājuma pārbaude",
        "Check a credential",
        "Проверка удостоверения",
    ),
    "title.check_result": ("Pārbaudes rezultāts", "The result", "Результат проверки"),
    "text.check_intro": (
        "Pārbaudiet diplomu, apliecību vai citu apliecinājumu bez konta: ielīmējiet to, "
        "augšupielādējiet tā failu vai QR koda attēlu. Nekas netiek saglabāts.",
        "Check a diploma, certificate or other credential without an account: paste it, "
        "upload its file or a picture of its QR code. Nothing is stored.",
        "Проверьте диплом, свидетельство или другое удостоверение без учётной записи: "
        "вставьте его, загрузите его файл или изображение его QR-кода. Ничего не сохраняется.",
    ),
    "heading.paste": ("Ielīmēt", "Paste", "Вставить"),
    "heading.file": ("Fails", "A file", "Файл"),
    "heading.qr": ("QR kods", "A QR code", "QR-код"),
    "heading.camera": ("Nofotografēt QR kodu", "Photograph a QR code", "Сфотографировать QR-код"),
    "field.qr_camera": (
        "Kamera (tālrunī atveras uzreiz)",
        "Camera (opens at once on a phone)",
        "Камера (на телефоне открывается сразу)",
    ),
    "field.credential_or_link": (
        "Apliecinājums (JWS, SD-JWT vai JSON) vai saite",
        "The credential (JWS, SD-JWT or JSON) or a link",
        "Удостоверение (JWS, SD-JWT или JSON) или ссылка",
    ),
    "field.credential_file": (
        "Apliecinājuma fails (.jwt, .json vai .txt)",
        "The credential file (.jwt, .json or .txt)",
        "Файл удостоверения (.jwt, .json или .txt)",
    ),
    "field.verifier_name": (
        "Jūsu vārds vai organizācija, ja pārbaudāt kopīgošanas saiti (nav obligāti; to redzēs "
        "apliecinājuma īpašnieks)",
        "Your name or organisation, when you check a share link (optional; the credential's "
        "holder sees it)",
        "Ваше имя или организация, если вы проверяете ссылку для обмена (необязательно; "
        "владелец удостоверения это увидит)",
    ),
    "field.qr_image": (
        "QR koda attēls vai fotoattēls (PNG vai JPEG)",
        "An image or photo of the QR code (PNG or JPEG)",
        "Изображение или фото QR-кода (PNG или JPEG)",
    ),
    "button.check": ("Pārbaudīt", "Check", "Проверить"),
    "text.credential_valid": (
        "Apliecinājums ir īsts un derīgs: visas pārbaudes izturētas.",
        "The credential is genuine and valid: every check passed.",
        "Удостоверение подлинное и действительно: все проверки пройдены.",
    ),
    "text.credential_invalid": (
        "Apliecinājums NAV derīgs: skatiet pārbaudes zemāk.",
        "The credential is NOT valid: see the checks below.",
        "Удостоверение НЕ действительно: см. проверки ниже.",
    ),
    "link.download_receipt": (
        "Lejupielādēt kvīti (receipt.jwt)",
        "Download the receipt (receipt.jwt)",
        "Скачать квитанцию (receipt.jwt)",
    ),
    "text.receipt": (
        "Kvīts ir šī dienesta parakstīts ieraksts par to, kas un kad pārbaudīts; to var "
        "pārbaudīt ar atslēgām no /.well-known/jwks.json.",
        "The receipt is a record of what was checked and when, signed by this service; "
        "anyone can check it with the keys at /.well-known/jwks.json.",
        "Квитанция — подписанная этой службой запись о том, что и когда проверено; её можно "
        "проверить ключами из /.well-known/jwks.json.",
    ),
    "link.check_another": (
        "Pārbaudīt citu apliecinājumu",
        "Check another credential",
        "Проверить другое удостоверение",
    ),
    # Each verification check in plain words (the check names of wallet.verifier).
    "check.parse": (
        "Apliecinājumu var nolasīt",
        "The credential can be read",
        "Удостоверение читается",
    ),
    "check.header": (
        "Paraksta algoritms un veids ir atļauti",
        "Its signature algorithm and kind are allowed",
        "Алгоритм подписи и вид допустимы",
    ),
    "check.issuer": (
        "Izsniedzējs ir reģistrēts",
        "The issuer is registered",
        "Издатель зарегистрирован",
    ),
    "check.key": (
        "Izsniedzēja atslēga bija derīga parakstīšanas brīdī",
        "The issuer's key was valid when it signed",
        "Ключ издателя был действителен в момент подписи",
    ),
    "check.signature": ("Paraksts ir īsts", "The signature is genuine", "Подпись подлинная"),
    "check.dataModel": (
        "Atbilst W3C apliecinājumu datu modelim",
        "It follows the W3C credential data model",
        "Соответствует модели данных W3C",
    ),
    "check.contexts": (
        "Visi termini ir definēti",
        "Every term is defined",
        "Все термины определены",
    ),
    "check.schema": (
        "Dati atbilst apliecinājuma veidam",
        "Its data fit the credential type",
        "Данные соответствуют типу удостоверения",
    ),
    "check.type": (
        "Apliecinājuma veids ir reģistrēts",
        "The credential type is registered",
        "Тип удостоверения зарегистрирован",
    ),
    "check.accreditation": (
        "Izsniedzējs bija akreditēts šim veidam",
        "The issuer was accredited for this type",
        "Издатель был аккредитован для этого типа",
    ),
    "check.validityPeriod": (
        "Nav beidzies un jau ir spēkā",
        "Not expired, and already in force",
        "Не истекло и уже действует",
    ),
    "check.status": (
        "Nav atsaukts vai apturēts",
        "Not revoked or suspended",
        "Не отозвано и не приостановлено",
    ),
    "check.disclosures": (
        "Atklātie dati atbilst parakstītajiem",
        "The disclosed data match what was signed",
        "Раскрытые данные совпадают с подписанными",
    ),
    "check.keyBinding": (
        "Uzrādījis tā īpašnieks",
        "Presented by its holder",
        "Предъявлено владельцем",
    ),
    # Share links: the learner's pages (wallet/web/pages/shares.py) and the link itself
    # (wallet/web/pages/share_link.py).
    "share.title.create": ("Kopīgot ar saiti", "Share by link", "Поделиться ссылкой"),
    "share.title.created": ("Saite ir gatava", "The link is ready", "Ссылка готова"),
    "share.title.list": ("Kopīgotās saites", "Shared links", "Общие ссылки"),
    "share.link.create": ("Kopīgot ar saiti", "Share by link", "Поделиться ссылкой"),
    "share.link.list": ("Kopīgotās saites", "Shared links", "Общие ссылки"),
    "share.text.create": (
        "Atzīmējiet, ko saites atvērējs drīkst redzēt; vienmēr redzamie dati ir saitē vienmēr. "
        "Izvēlieties, cik dienas saite derēs un, ja vēlaties, cik reižu to var atvērt.",
        "Tick what whoever opens the link may see; what is always shown is always in it. "
        "Choose for how many days the link works and, if you like, how often it may be opened.",
        "Отметьте, что может увидеть открывший ссылку; то, что показывается всегда, есть в "
        "ней всегда. Выберите, сколько дней ссылка действует и, если нужно, сколько раз её "
        "можно открыть.",
    ),
    "share.text.whole": (
        "Šis apliecinājums tiek kopīgots pilnībā.",
        "This credential is shared whole.",
        "Это удостоверение передаётся целиком.",
    ),
    "share.field.days": (
        "Derīga dienas (1–365)",
        "Valid for days (1–365)",
        "Действует дней (1–365)",
    ),
    "share.field.max_views": (
        "Lielākais atvēršanas reižu skaits (tukšs: bez ierobežojuma)",
        "Most openings (empty: no limit)",
        "Наибольшее число открытий (пусто: без ограничения)",
    ),
    "share.field.label": (
        "Piezīme saņēmējam (nav obligāti)",
        "A note for the recipient (optional)",
        "Заметка для получателя (необязательно)",
    ),
    "share.button.create": ("Izveidot saiti", "Create the link", "Создать ссылку"),
    "share.text.created": (
        "Nosūtiet šo saiti vai QR kodu. To var atsaukt jebkurā brīdī sadaļā „Kopīgotās saites”.",
        "Send this link or its QR code. You can revoke it at any time under “Shared links”.",
        "Отправьте эту ссылку или её QR-код. Её можно отозвать в любой момент в разделе "
        "«Общие ссылки».",
    ),
    "share.label.link": ("Saite", "Link", "Ссылка"),
    "share.label.expires": ("Derīga līdz", "Valid until", "Действует до"),
    "share.label.views": ("Atvērta", "Opened", "Открыта"),
    "share.label.state": ("Stāvoklis", "State", "Состояние"),
    "share.label.note": ("Piezīme", "Note", "Заметка"),
    "share.value.no_limit": ("bez ierobežojuma", "no limit", "без ограничения"),
    "share.state.active": ("Aktīva", "Active", "Активна"),
    "share.state.revoked": ("Atsaukta", "Revoked", "Отозвана"),
    "share.state.expired": ("Beigusies", "Expired", "Истекла"),
    "share.state.used-up": ("Izmantota", "Used up", "Исчерпана"),
    "share.button.revoke": ("Atsaukt", "Revoke", "Отозвать"),
    "share.text.none": (
        "Jums vēl nav kopīgotu saišu.",
        "You have no shared links yet.",
        "У вас пока нет общих ссылок.",
    ),
    "share.link.qr_svg": ("QR kods (SVG)", "QR code (SVG)", "QR-код (SVG)"),
    "share.link.qr_png": ("QR kods (PNG)", "QR code (PNG)", "QR-код (PNG)"),
    "share.notice.revoked": ("Saite ir atsaukta.", "The link is revoked.", "Ссылка отозвана."),
    "share.title.open": (
        "Kopīgots apliecinājums",
        "A shared credential",
        "Переданное удостоверение",
    ),
    "share.title.gone": (
        "Saite vairs nav derīga",
        "This link can no longer be used",
        "Ссылка больше недействительна",
    ),
    "share.title.missing": ("Saite nav atrasta", "No such link", "Ссылка не найдена"),
    "share.text.show": (
        "Šo saiti drīkst atvērt ierobežotu reižu skaitu. Nospiediet „Rādīt”, lai redzētu un "
        "pārbaudītu apliecinājumu; tas izmantos vienu atvēršanas reizi.",
        "This link may be opened a limited number of times. Press “Show” to see and check "
        "the credential; that uses up one opening.",
        "Эту ссылку можно открыть ограниченное число раз. Нажмите «Показать», чтобы увидеть "
        "и проверить удостоверение; это использует одно открытие.",
    ),
    "share.field.verifier": (
        "Jūsu vārds vai organizācija (nav obligāti; to redzēs apliecinājuma īpašnieks)",
        "Your name or organisation (optional; the credential's holder sees it)",
        "Ваше имя или организация (необязательно; владелец удостоверения это увидит)",
    ),
    "share.button.show": ("Rādīt", "Show", "Показать"),
    "share.text.verified": (
        "Apliecinājums ir īsts un derīgs: visas pārbaudes izturētas tikko.",
        "Genuine and valid: every check passed just now.",
        "Подлинное и действительное: все проверки только что пройдены.",
    ),
    "share.text.not_verified": (
        "Uzmanību: apliecinājums NEIZTUR pārbaudi. Skatiet, kura pārbaude neizdevās.",
        "Warning: this does NOT pass verification. See which check failed.",
        "Внимание: проверка НЕ пройдена. Посмотрите, какая проверка не удалась.",
    ),
    "share.text.gone": (
        "Saitei beidzies termiņš, tās īpašnieks to atsaucis vai tā atvērta atļauto reižu "
        "skaitu. Palūdziet īpašniekam jaunu saiti.",
        "The link has expired, was revoked by its owner or has been opened as often as "
        "allowed. Ask its owner for a new link.",
        "Срок ссылки истёк, владелец её отозвал или она открыта разрешённое число раз. "
        "Попросите владельца о новой ссылке.",
    ),
    "share.text.missing": (
        "Šādas saites nav. Pārbaudiet, vai tā nokopēta pilnībā.",
        "There is no such link. Check that it was copied in full.",
        "Такой ссылки нет. Проверьте, что она скопирована полностью.",
    ),
    "share.label.checks": ("Pārbaudes", "Checks", "Проверки"),
    "share.label.checked_at": ("Pārbaudīts", "Checked at", "Проверено"),
    "share.check.signature": ("Paraksts ir īsts", "The signature is genuine", "Подпись подлинная"),
    "share.check.issuer": (
        "Izsniedzējs ir reģistrēts un akreditēts",
        "The issuer is registered and accredited",
        "Выдавший зарегистрирован и аккредитован",
    ),
    "share.check.key": (
        "Izsniedzēja atslēga bija derīga parakstīšanas brīdī",
        "The issuer's key was valid when it signed",
        "Ключ выдавшего был действителен в момент подписи",
    ),
    "share.check.notRevoked": ("Nav atsaukts", "Not revoked", "Не отозвано"),
    "share.check.notSuspended": ("Nav apturēts", "Not suspended", "Не приостановлено"),
    "share.check.notExpired": ("Nav beidzies", "Not expired", "Срок не истёк"),
    "share.check.type": (
        "Derīgs sava veida apliecinājums",
        "A valid credential of its type",
        "Действительное удостоверение своего типа",
    ),
    "share.check.holder": (
        "Uzrādījis tā īpašnieks ar šo saiti",
        "Presented by its holder through this link",
        "Предъявлено владельцем по этой ссылке",
    ),
}

#: ``?notice=`` values a redirect may carry, and their labels (any other value is ignored,
#: so a link can never put its own text on a page).
NOTICES = {
    "signed-out": "notice.signed_out",
    "password-changed": "notice.password_changed",
    "password-reset": "notice.password_reset",
    "account-deleted": "notice.account_deleted",
    "personal-code-linked": "notice.personal_code_linked",
    "credential-deleted": "notice.credential_deleted",
    "credential-imported": "notice.credential_imported",
    "share-revoked": "share.notice.revoked",
}


def label(language: str, key: str) -> str:
    """The text of ``key`` in ``language`` (lv, en or ru).

    :raises KeyError: for a key the catalogue lacks (a programming error).
    """
    return _LABELS[key][LANGUAGES.index(language)]


def keys() -> frozenset[str]:
    """Every key of the catalogue (for tests)."""
    return frozenset(_LABELS)


def chosen_language(request: Request) -> str | None:
    """The language the browser asked for with ``?lang=``, when it is one of ours."""
    value = request.query_params.get("lang")
    return value if value in LANGUAGES else None


def language_of(request: Request) -> str:
    """The language of the page answering ``request``.

    The signed-in account's language (left on ``request.state`` by
    :func:`wallet.web.deps.get_cookie_principal`) comes first, then ``?lang=``, then the
    ``lang`` cookie, then Latvian.
    """
    account = getattr(request.state, "language", None)
    if isinstance(account, str) and account in LANGUAGES:
        return account
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie is None or cookie not in LANGUAGES:
        cookie = DEFAULT_LANGUAGE
    return chosen_language(request) or cookie


def notice_of(request: Request) -> str | None:
    """The label key of the request's ``?notice=``, or None."""
    return NOTICES.get(request.query_params.get("notice", ""))
