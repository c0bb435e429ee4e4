<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en_US">
<context>
    <name>Messenger::Client::ChatInfoPanel</name>
    <message numerus="yes">
        <source>%n member(s)</source>
        <translation><numerusform>%n member</numerusform><numerusform>%n members</numerusform></translation>
    </message>
</context>
<context>
    <name>Messenger::Client::ChatListModel</name>
    <message numerus="yes">
        <source>%n people are typing...</source>
        <translation><numerusform>%n person is typing...</numerusform><numerusform>%n people are typing...</numerusform></translation>
    </message>
</context>
<context>
    <name>Messenger::Client::ConnectionBanner</name>
    <message numerus="yes">
        <source>Reconnecting in %n s...</source>
        <translation><numerusform>Reconnecting in %n s...</numerusform><numerusform>Reconnecting in %n s...</numerusform></translation>
    </message>
</context>
<context>
    <name>Messenger::Client::FileTransfer</name>
    <message numerus="yes">
        <source>%n byte(s)</source>
        <translation><numerusform>%n byte</numerusform><numerusform>%n bytes</numerusform></translation>
    </message>
</context>
<context>
    <name>Messenger::Client::ForwardDialog</name>
    <message numerus="yes">
        <source>Forward %n message(s)</source>
        <translation><numerusform>Forward %n message</numerusform><numerusform>Forward %n messages</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>At most %n chats at a time</source>
        <translation><numerusform>At most %n chat at a time</numerusform><numerusform>At most %n chats at a time</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Choose up to %n chats</source>
        <translation><numerusform>Choose up to %n chat</numerusform><numerusform>Choose up to %n chats</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n chat(s) chosen</source>
        <translation><numerusform>%n chat chosen</numerusform><numerusform>%n chats chosen</numerusform></translation>
    </message>
</context>
<context>
    <name>Messenger::Client::LoginDialog</name>
    <message numerus="yes">
        <source>Use at least %n characters</source>
        <translation><numerusform>Use at least %n character</numerusform><numerusform>Use at least %n characters</numerusform></translation>
    </message>
</context>
<context>
    <name>Messenger::Client::MainWindow</name>
    <message numerus="yes">
        <source>%n member(s)</source>
        <translation><numerusform>%n member</numerusform><numerusform>%n members</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Forwarded to %n chats</source>
        <translation><numerusform>Forwarded to %n chat</numerusform><numerusform>Forwarded to %n chats</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Delete %n message(s) for everyone?</source>
        <translation><numerusform>Delete %n message for everyone?</numerusform><numerusform>Delete %n messages for everyone?</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Forward at most %n messages at a time</source>
        <translation><numerusform>Forward at most %n message at a time</numerusform><numerusform>Forward at most %n messages at a time</numerusform></translation>
    </message>
</context>
<context>
    <name>Messenger::Client::MessageModel</name>
    <message numerus="yes">
        <source>%1 joined the group</source>
        <translation><numerusform>%1 joined the group</numerusform><numerusform>%1 joined the group</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>You and %n other(s)</source>
        <translation><numerusform>You and %n other</numerusform><numerusform>You and %n others</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n person(s)</source>
        <translation><numerusform>%n person</numerusform><numerusform>%n people</numerusform></translation>
    </message>
</context>
<context>
    <name>Messenger::Client::NewChatDialog</name>
    <message numerus="yes">
        <source>%n selected</source>
        <translation><numerusform>%n selected</numerusform><numerusform>%n selected</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n selected: %1</source>
        <translation><numerusform>%n selected: %1</numerusform><numerusform>%n selected: %1</numerusform></translation>
    </message>
</context>
<context>
    <name>Messenger::Client::Presentation</name>
    <message numerus="yes">
        <source>🖼 %n photos</source>
        <translation><numerusform>🖼 %n photo</numerusform><numerusform>🖼 %n photos</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>📎 %1 and %n more</source>
        <translation><numerusform>📎 %1 and %n more</numerusform><numerusform>📎 %1 and %n more</numerusform></translation>
    </message>
</context>
<context>
    <name>Messenger::Client::SelectionBar</name>
    <message numerus="yes">
        <source>%n selected</source>
        <translation><numerusform>%n selected</numerusform><numerusform>%n selected</numerusform></translation>
    </message>
</context>
<context>
    <name>Messenger::Client::SessionsPanel</name>
    <message numerus="yes">
        <source>%n device(s) signed in</source>
        <translation><numerusform>%n device signed in</numerusform><numerusform>%n devices signed in</numerusform></translation>
    </message>
</context>
<context>
    <name>Messenger::Client::SettingsDialog</name>
    <message numerus="yes">
        <source>The new password needs at least %n characters.</source>
        <translation><numerusform>The new password needs at least %n character.</numerusform><numerusform>The new password needs at least %n characters.</numerusform></translation>
    </message>
</context>
<context>
    <name>Messenger::Client::TrayController</name>
    <message numerus="yes">
        <source>Messenger — %n unread</source>
        <translation><numerusform>Messenger — %n unread</numerusform><numerusform>Messenger — %n unread</numerusform></translation>
    </message>
</context>
</TS>