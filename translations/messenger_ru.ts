<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="ru_RU">
<context>
    <name>Messenger::Client::ApiError</name>
    <message>
        <source>Request failed (%1)</source>
        <translation>Запрос не выполнен (%1)</translation>
    </message>
    <message>
        <source>Cannot reach the server. Check the address and your connection.</source>
        <translation>Не удаётся связаться с сервером. Проверьте адрес и подключение.</translation>
    </message>
    <message>
        <source>The server sent an answer this app does not understand.</source>
        <translation>Сервер прислал ответ, который приложение не понимает.</translation>
    </message>
    <message>
        <source>Too many attempts. Please wait a moment.</source>
        <translation>Слишком много попыток. Подождите немного.</translation>
    </message>
    <message>
        <source>The server is unavailable. Try again later.</source>
        <translation>Сервер недоступен. Попробуйте позже.</translation>
    </message>
</context>
<context>
    <name>Messenger::Client::ChatInfoPanel</name>
    <message>
        <source>Add Members</source>
        <translation>Добавить участников</translation>
    </message>
    <message>
        <source>Leave Group</source>
        <translation>Покинуть группу</translation>
    </message>
    <message>
        <source>Leave</source>
        <translation>Покинуть</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>Информация</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Закрыть</translation>
    </message>
    <message>
        <source>Rename Group</source>
        <translation>Переименовать группу</translation>
    </message>
    <message>
        <source>Leave "%1"? You will no longer receive its messages.</source>
        <translation>Покинуть «%1»? Вы больше не будете получать сообщения этой группы.</translation>
    </message>
    <message>
        <source>Remove from Group</source>
        <translation>Удалить из группы</translation>
    </message>
    <message numerus="yes">
        <source>%n member(s)</source>
        <translation><numerusform>%n участник</numerusform><numerusform>%n участника</numerusform><numerusform>%n участников</numerusform></translation>
    </message>
    <message>
        <source>owner</source>
        <translation>владелец</translation>
    </message>
</context>
<context>
    <name>Messenger::Client::ChatListDelegate</name>
    <message>
        <source>Draft:</source>
        <translation>Черновик:</translation>
    </message>
    <message>
        <source>People</source>
        <translation>Люди</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Сообщения</translation>
    </message>
</context>
<context>
    <name>Messenger::Client::ChatListModel</name>
    <message>
        <source>Group created</source>
        <translation>Группа создана</translation>
    </message>
    <message>
        <source>Message deleted</source>
        <translation>Сообщение удалено</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Вы</translation>
    </message>
    <message>
        <source>%1 is typing...</source>
        <translation>%1 печатает...</translation>
    </message>
    <message>
        <source>typing...</source>
        <translation>печатает...</translation>
    </message>
    <message>
        <source>%1 and %2 are typing...</source>
        <translation>%1 и %2 печатают...</translation>
    </message>
    <message numerus="yes">
        <source>%n people are typing...</source>
        <translation><numerusform>%n человек печатает...</numerusform><numerusform>%n человека печатают...</numerusform><numerusform>%n человек печатают...</numerusform></translation>
    </message>
    <message>
        <source>Saved messages</source>
        <translation>Избранное</translation>
    </message>
</context>
<context>
    <name>Messenger::Client::ChatSearchModel</name>
    <message>
        <source>No messages found</source>
        <translation>Сообщения не найдены</translation>
    </message>
    <message>
        <source>Offline: messages are searched on the server</source>
        <translation>Нет связи: сообщения ищутся на сервере</translation>
    </message>
    <message>
        <source>Message search failed: %1</source>
        <translation>Поиск сообщений не удался: %1</translation>
    </message>
</context>
<context>
    <name>Messenger::Client::ClientSession</name>
    <message>
        <source>Wrong email or password</source>
        <translation>Неверный email или пароль</translation>
    </message>
    <message>
        <source>This email is already registered</source>
        <translation>Этот email уже зарегистрирован</translation>
    </message>
    <message>
        <source>Message not sent: %1</source>
        <translation>Сообщение не отправлено: %1</translation>
    </message>
    <message>
        <source>The server refused it</source>
        <translation>Сервер его не принял</translation>
    </message>
    <message>
        <source>Reaction not saved: %1</source>
        <translation>Реакция не сохранена: %1</translation>
    </message>
    <message>
        <source>Not forwarded: %1</source>
        <translation>Не переслано: %1</translation>
    </message>
    <message>
        <source>File not sent: %1</source>
        <translation>Файл не отправлен: %1</translation>
    </message>
</context>
<context>
    <name>Messenger::Client::Composer</name>
    <message>
        <source>Mention someone</source>
        <translation>Упомянуть участника</translation>
    </message>
    <message>
        <source>Edit message</source>
        <translation>Редактирование</translation>
    </message>
    <message>
        <source>Cancel editing</source>
        <translation>Отменить редактирование</translation>
    </message>
    <message>
        <source>Cancel reply</source>
        <translation>Отменить ответ</translation>
    </message>
    <message>
        <source>Reply to %1</source>
        <translation>Ответ для %1</translation>
    </message>
    <message>
        <source>Write a message...</source>
        <translation>Написать сообщение...</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Сообщение</translation>
    </message>
    <message>
        <source>Send (Enter)</source>
        <translation>Отправить (Enter)</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Отправить</translation>
    </message>
    <message>
        <source>Message length</source>
        <translation>Длина сообщения</translation>
    </message>
    <message>
        <source>Too long to send: at most %1 characters</source>
        <translation>Слишком длинное: не больше %1 символов</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Attach files</source>
        <translation>Прикрепить файлы</translation>
    </message>
    <message>
        <source>📎 %1</source>
        <translation>📎 %1</translation>
    </message>
    <message>
        <source>Remove %1</source>
        <translation>Убрать %1</translation>
    </message>
    <message>
        <source>Pasted image</source>
        <translation>Вставленное изображение</translation>
    </message>
</context>
<context>
    <name>Messenger::Client::ConnectionBanner</name>
    <message>
        <source>Connecting...</source>
        <translation>Соединение...</translation>
    </message>
    <message>
        <source>Offline.</source>
        <translation>Нет связи.</translation>
    </message>
    <message numerus="yes">
        <source>Reconnecting in %n s...</source>
        <translation><numerusform>Переподключение через %n с...</numerusform><numerusform>Переподключение через %n с...</numerusform><numerusform>Переподключение через %n с...</numerusform></translation>
    </message>
    <message>
        <source>Try now</source>
        <translation>Повторить сейчас</translation>
    </message>
</context>
<context>
    <name>Messenger::Client::DesktopApp</name>
    <message>
        <source>Language</source>
        <translation>Язык</translation>
    </message>
    <message>
        <source>The new language applies when Messenger starts again. Restart now?</source>
        <translation>Новый язык будет применён при следующем запуске Messenger. Перезапустить сейчас?</translation>
    </message>
    <message>
        <source>Restart Now</source>
        <translation>Перезапустить</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>Позже</translation>
    </message>
    <message>
        <source>Sign Out</source>
        <translation>Выйти</translation>
    </message>
    <message>
        <source>Sign out of Messenger on this computer?</source>
        <translation>Выйти из Messenger на этом компьютере?</translation>
    </message>
    <message>
        <source>You will need your email and password to sign in again.</source>
        <translation>Чтобы войти снова, понадобятся email и пароль.</translation>
    </message>
</context>
<context>
    <name>Messenger::Client::FileTransfer</name>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message numerus="yes">
        <source>%n byte(s)</source>
        <translation><numerusform>%n байт</numerusform><numerusform>%n байта</numerusform><numerusform>%n байт</numerusform></translation>
    </message>
</context>
<context>
    <name>Messenger::Client::FindBar</name>
    <message>
        <source>Search in this chat</source>
        <translation>Поиск в этом чате</translation>
    </message>
    <message>
        <source>Older match (Enter)</source>
        <translation>Предыдущее совпадение (Enter)</translation>
    </message>
    <message>
        <source>Newer match (Shift+Enter)</source>
        <translation>Следующее совпадение (Shift+Enter)</translation>
    </message>
    <message>
        <source>Close search (Esc)</source>
        <translation>Закрыть поиск (Esc)</translation>
    </message>
    <message>
        <source>%1 of %2+</source>
        <translation>%1 из %2+</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Поиск…</translation>
    </message>
    <message>
        <source>No messages found</source>
        <translation>Сообщения не найдены</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 из %2</translation>
    </message>
    <message>
        <source>Offline: search needs the server</source>
        <translation>Нет связи: для поиска нужен сервер</translation>
    </message>
    <message>
        <source>Search failed: %1</source>
        <translation>Поиск не удался: %1</translation>
    </message>
</context>
<context>
    <name>Messenger::Client::ForwardDialog</name>
    <message numerus="yes">
        <source>Forward %n message(s)</source>
        <translation><numerusform>Переслать %n сообщение</numerusform><numerusform>Переслать %n сообщения</numerusform><numerusform>Переслать %n сообщений</numerusform></translation>
    </message>
    <message>
        <source>Find a chat</source>
        <translation>Найти чат</translation>
    </message>
    <message>
        <source>Chats</source>
        <translation>Чаты</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Отправить</translation>
    </message>
    <message numerus="yes">
        <source>At most %n chats at a time</source>
        <translation><numerusform>Не больше %n чата за раз</numerusform><numerusform>Не больше %n чатов за раз</numerusform><numerusform>Не больше %n чатов за раз</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Choose up to %n chats</source>
        <translation><numerusform>Выберите до %n чата</numerusform><numerusform>Выберите до %n чатов</numerusform><numerusform>Выберите до %n чатов</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n chat(s) chosen</source>
        <translation><numerusform>Выбран %n чат</numerusform><numerusform>Выбрано %n чата</numerusform><numerusform>Выбрано %n чатов</numerusform></translation>
    </message>
</context>
<context>
    <name>Messenger::Client::ImageViewer</name>
    <message>
        <source>Save As…</source>
        <translation>Сохранить как…</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Загрузка…</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Изображение</translation>
    </message>
    <message>
        <source>Zoom</source>
        <translation>Масштаб</translation>
    </message>
    <message>
        <source>%1%</source>
        <translation>%1%</translation>
    </message>
    <message>
        <source>Save As</source>
        <translation>Сохранить как</translation>
    </message>
    <message>
        <source>Could not save %1.</source>
        <translation>Не удалось сохранить %1.</translation>
    </message>
</context>
<context>
    <name>Messenger::Client::LoginDialog</name>
    <message>
        <source>Messenger</source>
        <translation>Messenger</translation>
    </message>
    <message>
        <source>name@example.com</source>
        <translation>name@example.com</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Сервер</translation>
    </message>
    <message>
        <source>Your name</source>
        <translation>Ваше имя</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Email</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Пароль</translation>
    </message>
    <message>
        <source>Repeat password</source>
        <translation>Повторите пароль</translation>
    </message>
    <message>
        <source>Create an account</source>
        <translation>Создание аккаунта</translation>
    </message>
    <message>
        <source>Sign in to Messenger</source>
        <translation>Вход в Messenger</translation>
    </message>
    <message>
        <source>Choose a name people will know you by.</source>
        <translation>Выберите имя, под которым вас будут знать.</translation>
    </message>
    <message>
        <source>Enter your email and password.</source>
        <translation>Введите email и пароль.</translation>
    </message>
    <message>
        <source>Create Account</source>
        <translation>Создать аккаунт</translation>
    </message>
    <message>
        <source>Sign In</source>
        <translation>Войти</translation>
    </message>
    <message>
        <source>I already have an account</source>
        <translation>У меня уже есть аккаунт</translation>
    </message>
    <message>
        <source>Create a new account</source>
        <translation>Создать новый аккаунт</translation>
    </message>
    <message>
        <source>Creating account...</source>
        <translation>Создаём аккаунт...</translation>
    </message>
    <message>
        <source>Signing in...</source>
        <translation>Входим...</translation>
    </message>
    <message>
        <source>Enter the server address, for example http://127.0.0.1:8000</source>
        <translation>Введите адрес сервера, например http://127.0.0.1:8000</translation>
    </message>
    <message>
        <source>Enter your name</source>
        <translation>Введите имя</translation>
    </message>
    <message>
        <source>Enter a valid email address</source>
        <translation>Введите правильный email</translation>
    </message>
    <message>
        <source>Enter your password</source>
        <translation>Введите пароль</translation>
    </message>
    <message numerus="yes">
        <source>Use at least %n characters</source>
        <translation><numerusform>Не меньше %n символа</numerusform><numerusform>Не меньше %n символов</numerusform><numerusform>Не меньше %n символов</numerusform></translation>
    </message>
    <message>
        <source>The passwords do not match</source>
        <translation>Пароли не совпадают</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
</context>
<context>
    <name>Messenger::Client::MainWindow</name>
    <message>
        <source>Messenger</source>
        <translation>Messenger</translation>
    </message>
    <message>
        <source>Menu</source>
        <translation>Меню</translation>
    </message>
    <message>
        <source>New Message</source>
        <translation>Новое сообщение</translation>
    </message>
    <message>
        <source>New Group</source>
        <translation>Новая группа</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Настройки</translation>
    </message>
    <message>
        <source>Sign Out</source>
        <translation>Выйти</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Поиск</translation>
    </message>
    <message>
        <source>Chats</source>
        <translation>Чаты</translation>
    </message>
    <message>
        <source>Select a chat to start messaging</source>
        <translation>Выберите чат, чтобы начать общение</translation>
    </message>
    <message>
        <source>Chat Info</source>
        <translation>Информация о чате</translation>
    </message>
    <message>
        <source>Delete Message</source>
        <translation>Удалить сообщение</translation>
    </message>
    <message>
        <source>Delete this message for everyone?</source>
        <translation>Удалить это сообщение у всех?</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Удалить</translation>
    </message>
    <message numerus="yes">
        <source>%n member(s)</source>
        <translation><numerusform>%n участник</numerusform><numerusform>%n участника</numerusform><numerusform>%n участников</numerusform></translation>
    </message>
    <message>
        <source>personal chat</source>
        <translation>личный чат</translation>
    </message>
    <message>
        <source>Messenger (%1)</source>
        <translation>Messenger (%1)</translation>
    </message>
    <message>
        <source>No chats yet.
Start one with the pencil button.</source>
        <translation>Чатов пока нет.
Начните новый кнопкой с карандашом.</translation>
    </message>
    <message>
        <source>No chats or people match "%1".</source>
        <translation>Нет чатов и людей по запросу «%1».</translation>
    </message>
    <message>
        <source>Search messages in this chat (with no chat open: search all)</source>
        <translation>Поиск сообщений в этом чате (если чат не открыт — поиск везде)</translation>
    </message>
    <message>
        <source>Search chats, people and messages</source>
        <translation>Поиск по чатам, людям и сообщениям</translation>
    </message>
    <message>
        <source>Quick switcher: go to a chat or a person</source>
        <translation>Быстрый переход к чату или человеку</translation>
    </message>
    <message>
        <source>Previous chat</source>
        <translation>Предыдущий чат</translation>
    </message>
    <message>
        <source>Next chat</source>
        <translation>Следующий чат</translation>
    </message>
    <message>
        <source>Edit your last message (in an empty message field)</source>
        <translation>Изменить своё последнее сообщение (в пустом поле ввода)</translation>
    </message>
    <message>
        <source>Reply to a message: the newest, then each older one</source>
        <translation>Ответить на сообщение: последнее, затем всё более раннее</translation>
    </message>
    <message>
        <source>Reply to the next newer message</source>
        <translation>Ответить на следующее, более новое сообщение</translation>
    </message>
    <message>
        <source>Cancel editing or the reply; close the chat info; clear the search</source>
        <translation>Отменить изменение или ответ; закрыть сведения о чате; очистить поиск</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Выйти</translation>
    </message>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation>Сочетания клавиш</translation>
    </message>
    <message numerus="yes">
        <source>Forwarded to %n chats</source>
        <translation><numerusform>Переслано в %n чат</numerusform><numerusform>Переслано в %n чата</numerusform><numerusform>Переслано в %n чатов</numerusform></translation>
    </message>
    <message>
        <source>Delete Messages</source>
        <translation>Удаление сообщений</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n message(s) for everyone?</source>
        <translation><numerusform>Удалить %n сообщение у всех?</numerusform><numerusform>Удалить %n сообщения у всех?</numerusform><numerusform>Удалить %n сообщений у всех?</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Forward at most %n messages at a time</source>
        <translation><numerusform>Пересылайте не больше %n сообщения за раз</numerusform><numerusform>Пересылайте не больше %n сообщений за раз</numerusform><numerusform>Пересылайте не больше %n сообщений за раз</numerusform></translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>Выключить звук</translation>
    </message>
    <message>
        <source>Unmute</source>
        <translation>Включить звук</translation>
    </message>
    <message>
        <source>For 1 hour</source>
        <translation>На 1 час</translation>
    </message>
    <message>
        <source>For 8 hours</source>
        <translation>На 8 часов</translation>
    </message>
    <message>
        <source>For 1 day</source>
        <translation>На 1 день</translation>
    </message>
    <message>
        <source>Forever</source>
        <translation>Навсегда</translation>
    </message>
    <message>
        <source>Pin to top</source>
        <translation>Закрепить наверху</translation>
    </message>
    <message>
        <source>Move Up</source>
        <translation>Переместить выше</translation>
    </message>
    <message>
        <source>Move Down</source>
        <translation>Переместить ниже</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>Открепить</translation>
    </message>
    <message>
        <source>Archive</source>
        <translation>Архив</translation>
    </message>
    <message>
        <source>Unarchive</source>
        <translation>Вернуть из архива</translation>
    </message>
    <message>
        <source>Mark as unread</source>
        <translation>Отметить непрочитанным</translation>
    </message>
    <message>
        <source>Mark as read</source>
        <translation>Отметить прочитанным</translation>
    </message>
    <message>
        <source>Archive (%1)</source>
        <translation>Архив (%1)</translation>
    </message>
    <message>
        <source>Back to chats</source>
        <translation>Назад к чатам</translation>
    </message>
    <message>
        <source>Archived chats; Esc goes back</source>
        <translation>Архивные чаты; Esc — назад</translation>
    </message>
    <message>
        <source>Chats you archived</source>
        <translation>Чаты, которые вы отправили в архив</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Открыть</translation>
    </message>
    <message>
        <source>Show in Folder</source>
        <translation>Показать в папке</translation>
    </message>
    <message>
        <source>Save As</source>
        <translation>Сохранить как</translation>
    </message>
    <message>
        <source>Could not save %1</source>
        <translation>Не удалось сохранить %1</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>Сохранено: %1</translation>
    </message>
</context>
<context>
    <name>Messenger::Client::MessageDelegate</name>
    <message>
        <source>edited</source>
        <translation>изменено</translation>
    </message>
    <message>
        <source>Unread messages</source>
        <translation>Непрочитанные сообщения</translation>
    </message>
    <message>
        <source>Deleted message</source>
        <translation>Удалённое сообщение</translation>
    </message>
    <message>
        <source>Forwarded from %1</source>
        <translation>Переслано от %1</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 из %2</translation>
    </message>
</context>
<context>
    <name>Messenger::Client::MessageModel</name>
    <message>
        <source>Message deleted</source>
        <translation>Сообщение удалено</translation>
    </message>
    <message>
        <source>Not sent: %1</source>
        <translation>Не отправлено: %1</translation>
    </message>
    <message>
        <source>Group created</source>
        <translation>Группа создана</translation>
    </message>
    <message>
        <source>The group was renamed to “%1”</source>
        <translation>Группа переименована в «%1»</translation>
    </message>
    <message numerus="yes">
        <source>%1 joined the group</source>
        <translation><numerusform>Новый участник группы: %1</numerusform><numerusform>Новые участники группы: %1</numerusform><numerusform>Новые участники группы: %1</numerusform></translation>
    </message>
    <message>
        <source>%1 left the group</source>
        <translation>%1 больше не в группе</translation>
    </message>
    <message>
        <source>You and %1</source>
        <translation>Вы и %1</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Вы</translation>
    </message>
    <message numerus="yes">
        <source>You and %n other(s)</source>
        <translation><numerusform>Вы и ещё %n человек</numerusform><numerusform>Вы и ещё %n человека</numerusform><numerusform>Вы и ещё %n человек</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n person(s)</source>
        <translation><numerusform>%n человек</numerusform><numerusform>%n человека</numerusform><numerusform>%n человек</numerusform></translation>
    </message>
    <message>
        <source>📎 File</source>
        <translation>📎 Файл</translation>
    </message>
</context>
<context>
    <name>Messenger::Client::NewChatDialog</name>
    <message>
        <source>already in the group</source>
        <translation>уже в группе</translation>
    </message>
    <message>
        <source>New Group</source>
        <translation>Новая группа</translation>
    </message>
    <message>
        <source>Group name</source>
        <translation>Название группы</translation>
    </message>
    <message>
        <source>Search people by name or email</source>
        <translation>Поиск людей по имени или email</translation>
    </message>
    <message>
        <source>New Message</source>
        <translation>Новое сообщение</translation>
    </message>
    <message>
        <source>Start Chat</source>
        <translation>Начать чат</translation>
    </message>
    <message>
        <source>Create Group</source>
        <translation>Создать группу</translation>
    </message>
    <message>
        <source>Add Members</source>
        <translation>Добавить участников</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Добавить</translation>
    </message>
    <message>
        <source>Nobody found for "%1"</source>
        <translation>По запросу «%1» никого не найдено</translation>
    </message>
    <message numerus="yes">
        <source>%n selected</source>
        <translation><numerusform>Выбран %n</numerusform><numerusform>Выбрано %n</numerusform><numerusform>Выбрано %n</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n selected: %1</source>
        <translation><numerusform>Выбран %n: %1</numerusform><numerusform>Выбрано %n: %1</numerusform><numerusform>Выбрано %n: %1</numerusform></translation>
    </message>
</context>
<context>
    <name>Messenger::Client::PhotoEditor</name>
    <message>
        <source>Set Photo…</source>
        <translation>Выбрать фото…</translation>
    </message>
    <message>
        <source>Remove Photo</source>
        <translation>Удалить фото</translation>
    </message>
    <message>
        <source>Uploading…</source>
        <translation>Загрузка…</translation>
    </message>
    <message>
        <source>Choose a Photo</source>
        <translation>Выберите фото</translation>
    </message>
    <message>
        <source>Images (*.jpg *.jpeg *.png *.gif)</source>
        <translation>Изображения (*.jpg *.jpeg *.png *.gif)</translation>
    </message>
</context>
<context>
    <name>Messenger::Client::PinnedBanner</name>
    <message>
        <source>Pinned message</source>
        <translation>Закреплённое сообщение</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>Открепить</translation>
    </message>
</context>
<context>
    <name>Messenger::Client::Presentation</name>
    <message>
        <source>Today</source>
        <translation>Сегодня</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Вчера</translation>
    </message>
    <message>
        <source>online</source>
        <translation>в сети</translation>
    </message>
    <message>
        <source>last seen recently</source>
        <translation>был(а) недавно</translation>
    </message>
    <message>
        <source>last seen just now</source>
        <translation>был(а) только что</translation>
    </message>
    <message numerus="yes">
        <source>last seen %n minute(s) ago</source>
        <translation><numerusform>был(а) %n минуту назад</numerusform><numerusform>был(а) %n минуты назад</numerusform><numerusform>был(а) %n минут назад</numerusform></translation>
    </message>
    <message>
        <source>last seen today at %1</source>
        <translation>был(а) сегодня в %1</translation>
    </message>
    <message>
        <source>last seen yesterday at %1</source>
        <translation>был(а) вчера в %1</translation>
    </message>
    <message>
        <source>last seen %1 at %2</source>
        <translation>был(а) %1 в %2</translation>
    </message>
    <message>
        <source>🖼 Photo</source>
        <translation>🖼 Фото</translation>
    </message>
    <message numerus="yes">
        <source>🖼 %n photos</source>
        <translation><numerusform>🖼 %n фото</numerusform><numerusform>🖼 %n фото</numerusform><numerusform>🖼 %n фото</numerusform></translation>
    </message>
    <message>
        <source>📎 %1</source>
        <translation>📎 %1</translation>
    </message>
    <message numerus="yes">
        <source>📎 %1 and %n more</source>
        <translation><numerusform>📎 %1 и ещё %n</numerusform><numerusform>📎 %1 и ещё %n</numerusform><numerusform>📎 %1 и ещё %n</numerusform></translation>
    </message>
</context>
<context>
    <name>Messenger::Client::QuickSwitcher</name>
    <message>
        <source>Go to Chat</source>
        <translation>Перейти к чату</translation>
    </message>
    <message>
        <source>Find a chat or a person</source>
        <translation>Найти чат или человека</translation>
    </message>
    <message>
        <source>Chats and people</source>
        <translation>Чаты и люди</translation>
    </message>
    <message>
        <source>↑↓ to move, Enter to open, Esc to close</source>
        <translation>↑↓ — выбор, Enter — открыть, Esc — закрыть</translation>
    </message>
</context>
<context>
    <name>Messenger::Client::ReactionPicker</name>
    <message>
        <source>React with %1</source>
        <translation>Поставить реакцию %1</translation>
    </message>
</context>
<context>
    <name>Messenger::Client::SelectionBar</name>
    <message>
        <source>Forward</source>
        <translation>Переслать</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Копировать</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Удалить</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message numerus="yes">
        <source>%n selected</source>
        <translation><numerusform>Выбрано: %n</numerusform><numerusform>Выбрано: %n</numerusform><numerusform>Выбрано: %n</numerusform></translation>
    </message>
</context>
<context>
    <name>Messenger::Client::SessionsPanel</name>
    <message>
        <source>End session</source>
        <translation>Завершить сеанс</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Устройство</translation>
    </message>
    <message>
        <source>App</source>
        <translation>Приложение</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Адрес</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>Последняя активность</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Обновить</translation>
    </message>
    <message>
        <source>Loading...</source>
        <translation>Загрузка...</translation>
    </message>
    <message>
        <source>Unnamed device</source>
        <translation>Устройство без имени</translation>
    </message>
    <message>
        <source>%1 (this device)</source>
        <translation>%1 (это устройство)</translation>
    </message>
    <message numerus="yes">
        <source>%n device(s) signed in</source>
        <translation><numerusform>Вход выполнен на %n устройстве</numerusform><numerusform>Вход выполнен на %n устройствах</numerusform><numerusform>Вход выполнен на %n устройствах</numerusform></translation>
    </message>
</context>
<context>
    <name>Messenger::Client::SettingsDialog</name>
    <message>
        <source>Privacy</source>
        <translation>Конфиденциальность</translation>
    </message>
    <message>
        <source>Everyone who shares a chat</source>
        <translation>Все, с кем есть общий чат</translation>
    </message>
    <message>
        <source>Nobody</source>
        <translation>Никто</translation>
    </message>
    <message>
        <source>With Nobody, you do not see anyone's online status either.</source>
        <translation>При «Никто» вы тоже не видите, кто в сети.</translation>
    </message>
    <message>
        <source>Show my online status to</source>
        <translation>Кто видит, что я в сети</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Настройки</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Язык системы</translation>
    </message>
    <message>
        <source>Keep running in the tray when the window is closed</source>
        <translation>Оставаться в трее при закрытии окна</translation>
    </message>
    <message>
        <source>This desktop shows no tray icons: closing the window quits.</source>
        <translation>На этом рабочем столе нет значков в трее: закрытие окна завершает программу.</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Язык</translation>
    </message>
    <message>
        <source>Signed in as %1 (%2) on %3</source>
        <translation>Вы вошли как %1 (%2) на %3</translation>
    </message>
    <message>
        <source>Signed-in devices</source>
        <translation>Устройства, на которых выполнен вход</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Сохранить</translation>
    </message>
    <message>
        <source>Change Password</source>
        <translation>Сменить пароль</translation>
    </message>
    <message>
        <source>Sign Out All Other Devices</source>
        <translation>Выйти на всех других устройствах</translation>
    </message>
    <message>
        <source>Profile</source>
        <translation>Профиль</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>Имя</translation>
    </message>
    <message>
        <source>Change password</source>
        <translation>Смена пароля</translation>
    </message>
    <message>
        <source>Current password</source>
        <translation>Текущий пароль</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>Новый пароль</translation>
    </message>
    <message>
        <source>Repeat new password</source>
        <translation>Повторите новый пароль</translation>
    </message>
    <message>
        <source>Enter a name.</source>
        <translation>Введите имя.</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Сохранено.</translation>
    </message>
    <message>
        <source>Enter your current password.</source>
        <translation>Введите текущий пароль.</translation>
    </message>
    <message>
        <source>The new passwords do not match.</source>
        <translation>Новые пароли не совпадают.</translation>
    </message>
    <message>
        <source>Password changed. Your other devices were signed out.</source>
        <translation>Пароль изменён. На других устройствах выполнен выход.</translation>
    </message>
    <message>
        <source>The current password is incorrect.</source>
        <translation>Текущий пароль неверен.</translation>
    </message>
    <message>
        <source>Your other devices were signed out.</source>
        <translation>На других устройствах выполнен выход.</translation>
    </message>
    <message numerus="yes">
        <source>The new password needs at least %n characters.</source>
        <translation><numerusform>Новый пароль должен содержать не меньше %n символа</numerusform><numerusform>Новый пароль должен содержать не меньше %n символов</numerusform><numerusform>Новый пароль должен содержать не меньше %n символов</numerusform></translation>
    </message>
</context>
<context>
    <name>Messenger::Client::TimelineView</name>
    <message>
        <source>Go to the next message that mentions you</source>
        <translation>К следующему сообщению с упоминанием вас</translation>
    </message>
    <message>
        <source>Copy Selected Text</source>
        <translation>Копировать выделенное</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>Ответить</translation>
    </message>
    <message>
        <source>Copy Text</source>
        <translation>Копировать текст</translation>
    </message>
    <message>
        <source>Copy Link</source>
        <translation>Копировать ссылку</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Изменить</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Удалить</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Повторить</translation>
    </message>
    <message>
        <source>No messages yet</source>
        <translation>Сообщений пока нет</translation>
    </message>
    <message>
        <source>Go to the newest message</source>
        <translation>К последнему сообщению</translation>
    </message>
    <message>
        <source>React…</source>
        <translation>Реакция…</translation>
    </message>
    <message>
        <source>Forward Selected</source>
        <translation>Переслать выбранные</translation>
    </message>
    <message>
        <source>Forward</source>
        <translation>Переслать</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>Открепить</translation>
    </message>
    <message>
        <source>Pin</source>
        <translation>Закрепить</translation>
    </message>
    <message>
        <source>Deselect</source>
        <translation>Снять выбор</translation>
    </message>
    <message>
        <source>Select</source>
        <translation>Выбрать</translation>
    </message>
    <message>
        <source>Save As…</source>
        <translation>Сохранить как…</translation>
    </message>
</context>
<context>
    <name>Messenger::Client::TrayController</name>
    <message>
        <source>Open Messenger</source>
        <translation>Открыть Messenger</translation>
    </message>
    <message>
        <source>Mute notifications</source>
        <translation>Без уведомлений</translation>
    </message>
    <message>
        <source>Quit Messenger</source>
        <translation>Выйти из Messenger</translation>
    </message>
    <message>
        <source>Messenger is still running</source>
        <translation>Messenger продолжает работать</translation>
    </message>
    <message>
        <source>Messenger is still running in the tray and will notify you of new messages. Use Quit in the tray menu to end it.</source>
        <translation>Messenger продолжает работать в трее и сообщит о новых сообщениях. Чтобы завершить его, выберите «Выйти из Messenger» в меню значка.</translation>
    </message>
    <message numerus="yes">
        <source>Messenger — %n unread</source>
        <translation><numerusform>Messenger — %n непрочитанное</numerusform><numerusform>Messenger — %n непрочитанных</numerusform><numerusform>Messenger — %n непрочитанных</numerusform></translation>
    </message>
    <message>
        <source>Messenger</source>
        <translation>Messenger</translation>
    </message>
</context>
</TS>