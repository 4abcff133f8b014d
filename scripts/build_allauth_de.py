"""Rebuilds locale_allauth/de: formal ("Sie") overrides of allauth's informal German.

Run after an allauth upgrade: .venv/bin/python scripts/build_allauth_de.py
"""
import re
import sys
from pathlib import Path

import allauth
import polib

SRC = str(Path(allauth.__file__).parent / 'locale/de/LC_MESSAGES/django.po')
DST = str(Path(__file__).resolve().parent.parent / 'locale_allauth/de/LC_MESSAGES/django.po')
src = polib.pofile(SRC)

# (msgctxt, msgid) -> formal msgstr
T = {
 'You cannot remove your primary email address.': 'Sie können Ihre primäre E-Mail-Adresse nicht löschen.',
 'Please type your current password.': 'Bitte geben Sie Ihr aktuelles Passwort ein.',
 'You cannot add more than %d email addresses.': 'Sie können nicht mehr als %d E-Mail-Adressen hinzufügen.',
 'Too many failed login attempts. Try again later.': 'Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es später erneut.',
 'Your primary email address must be verified.': 'Ihre primäre E-Mail-Adresse muss bestätigt werden.',
 'Username can not be used. Please use other username.': 'Dieser Anmeldename kann nicht verwendet werden. Bitte wählen Sie einen anderen Anmeldenamen.',
 'Please select only one.': 'Bitte wählen Sie nur eine Option aus.',
 'Be patient, you are sending too many requests.': 'Bitte haben Sie etwas Geduld, Sie senden zu viele Anfragen.',
 'You must type the same password each time.': 'Sie müssen zweimal dasselbe Passwort eingeben.',
 'You must type the same email each time.': 'Sie müssen zweimal dieselbe E-Mail-Adresse eingeben.',
 'View your user ID': 'Ihre Benutzer-ID ansehen',
 'View your email address': 'Ihre E-Mail-Adresse ansehen',
 'View your basic profile information': 'Ihre grundlegenden Profilinformationen ansehen',
 'The scope(s) the client is allowed to request. Provide one value per line, e.g.: openid(ENTER)profile(ENTER)email(ENTER)':
   'Die Geltungsbereiche, die der Client anfordern darf. Geben Sie einen Wert pro Zeile an, z. B.: openid(ENTER)profile(ENTER)email(ENTER)',
 'In case the client does not specify any scope, these default scopes are used. Provide one value per line, e.g.: openid(ENTER)profile(ENTER)email(ENTER)':
   'Falls der Client keinen Geltungsbereich angibt, werden diese Standard-Geltungsbereiche verwendet. Geben Sie einen Wert pro Zeile an, z. B.: openid(ENTER)profile(ENTER)email(ENTER)',
 'A list of allowed grant types. Provide one value per line, e.g.: authorization_code(ENTER)client_credentials(ENTER)refresh_token(ENTER)':
   'Eine Liste erlaubter Grant-Typen. Geben Sie einen Wert pro Zeile an, z. B.: authorization_code(ENTER)client_credentials(ENTER)refresh_token(ENTER)',
 'A list of allowed response types. Provide one value per line, e.g.: code(ENTER)id_token token(ENTER)':
   'Eine Liste erlaubter Antworttypen. Geben Sie einen Wert pro Zeile an, z. B.: code(ENTER)id_token token(ENTER)',
 'An account already exists with this email address. Please sign in to that account first, then connect your %s account.':
   'Es existiert bereits ein Konto mit dieser E-Mail-Adresse. Bitte melden Sie sich zuerst bei diesem Konto an und verknüpfen Sie es anschließend mit Ihrem %s-Konto.',
 'Your account has no password set up.': 'Für Ihr Konto wurde noch kein Passwort festgelegt.',
 'Your account has no verified email address.': 'Ihr Konto hat keine bestätigte E-Mail-Adresse.',
 'Do you really want to remove the selected email address?': 'Möchten Sie die ausgewählte E-Mail-Adresse wirklich entfernen?',
 'You are receiving this email because you or someone else tried to signup for an\naccount using email address:\n\n%(email)s\n\nHowever, an account using that email address already exists.  In case you have\nforgotten about this, please use the password forgotten procedure to recover\nyour account:\n\n%(password_reset_url)s':
   'Sie erhalten diese E-Mail, weil Sie oder jemand anderes versucht hat, ein Konto mit\nfolgender E-Mail-Adresse zu registrieren:\n\n%(email)s\n\nEs existiert jedoch bereits ein Konto mit dieser E-Mail-Adresse. Falls Sie dies\nvergessen haben, nutzen Sie bitte die Funktion „Passwort vergessen“, um Ihr Konto\nwiederherzustellen:\n\n%(password_reset_url)s',
 'Thank you for using %(site_name)s!\n%(site_domain)s': 'Vielen Dank, dass Sie %(site_name)s nutzen!\n%(site_domain)s',
 'Please Confirm Your Email Address': 'Bitte bestätigen Sie Ihre E-Mail-Adresse',
 'Your password has been changed.': 'Ihr Passwort wurde geändert.',
 "You're receiving this email because you or someone else has requested a password reset for your user account.\nIt can be safely ignored if you did not request a password reset. Click the link below to reset your password.":
   'Sie erhalten diese E-Mail, weil Sie oder jemand anderes das Zurücksetzen des Passworts für Ihr Benutzerkonto angefordert hat.\nFalls Sie dies nicht angefordert haben, können Sie diese E-Mail ignorieren. Klicken Sie auf den folgenden Link, um Ihr Passwort zurückzusetzen.',
 'In case you forgot, your username is %(username)s.': 'Falls Sie Ihren Anmeldenamen vergessen haben: Er lautet %(username)s.',
 'Your email address is still pending verification.': 'Die Bestätigung Ihrer E-Mail-Adresse steht noch aus.',
 'Please confirm that <a href="mailto:%(email)s">%(email)s</a> is an email address for user %(user_display)s.':
   'Bitte bestätigen Sie, dass <a href="mailto:%(email)s">%(email)s</a> eine E-Mail-Adresse von %(user_display)s ist.',
 'This email confirmation link expired or is invalid. Please <a href="%(email_url)s">issue a new email confirmation request</a>.':
   'Dieser Bestätigungslink ist abgelaufen oder ungültig. Bitte <a href="%(email_url)s">fordern Sie eine neue Bestätigungs-E-Mail an</a>.',
 'If you have not created an account yet, then please %(link)ssign up%(end_link)s first.':
   'Sie haben noch kein Konto? Dann %(link)sregistrieren Sie sich%(end_link)s bitte zunächst.',
 'Are you sure you want to sign out?': 'Sind Sie sicher, dass Sie sich abmelden möchten?',
 'You cannot remove your primary email address (%(email)s).': 'Sie können Ihre primäre E-Mail-Adresse (%(email)s) nicht löschen.',
 'You have confirmed %(email)s.': 'Sie haben die Adresse %(email)s bestätigt.',
 'You have signed out.': 'Sie haben sich abgemeldet.',
 "Forgotten your password? Enter your email address below, and we'll send you an email allowing you to reset it.":
   'Passwort vergessen? Geben Sie unten Ihre E-Mail-Adresse ein. Wir senden Ihnen dann eine E-Mail, mit der Sie Ihr Passwort zurücksetzen können.',
 'Please contact us if you have any trouble resetting your password.': 'Bitte kontaktieren Sie uns, falls beim Zurücksetzen Ihres Passworts Probleme auftreten.',
 'We have sent you an email. If you have not received it please check your spam folder. Otherwise contact us if you do not receive it in a few minutes.':
   'Wir haben Ihnen eine E-Mail gesendet. Falls Sie sie nicht erhalten haben, überprüfen Sie bitte Ihren Spam-Ordner. Sollte sie auch nach einigen Minuten nicht eingetroffen sein, kontaktieren Sie uns bitte.',
 'The password reset link was invalid, possibly because it has already been used.  Please request a <a href="%(passwd_reset_url)s">new password reset</a>.':
   'Der Link zum Zurücksetzen des Passworts ist ungültig, möglicherweise wurde er bereits verwendet. Bitte <a href="%(passwd_reset_url)s">fordern Sie einen neuen Link zum Zurücksetzen an</a>.',
 'Your password is now changed.': 'Ihr Passwort wurde geändert.',
 'Your phone number is still pending verification.': 'Die Bestätigung Ihrer Telefonnummer steht noch aus.',
 'Already have an account? Then please %(link)ssign in%(end_link)s.': 'Sie haben bereits ein Konto? Dann %(link)smelden Sie sich bitte an%(end_link)s.',
 'You are already logged in as %(user_display)s.': 'Sie sind bereits als %(user_display)s angemeldet.',
 'You currently do not have any email address set up. You should really add an email address so you can receive notifications, reset your password, etc.':
   'Sie haben derzeit keine E-Mail-Adresse hinterlegt. Sie sollten unbedingt eine E-Mail-Adresse hinzufügen, damit Sie Benachrichtigungen erhalten, Ihr Passwort zurücksetzen können usw.',
 'Verify Your Email Address': 'Bestätigen Sie Ihre E-Mail-Adresse',
 'We have sent an email to you for verification. Follow the link provided to finalize the signup process. If you do not see the verification email in your main inbox, check your spam folder. Please contact us if you do not receive the verification email within a few minutes.':
   'Wir haben Ihnen eine E-Mail zur Bestätigung gesendet. Folgen Sie dem darin enthaltenen Link, um die Registrierung abzuschließen. Falls Sie die Bestätigungs-E-Mail nicht in Ihrem Posteingang finden, überprüfen Sie bitte Ihren Spam-Ordner. Bitte kontaktieren Sie uns, falls Sie die Bestätigungs-E-Mail nicht innerhalb weniger Minuten erhalten.',
 'This part of the site requires us to verify that\nyou are who you claim to be. For this purpose, we require that you\nverify ownership of your email address. ':
   'Für diesen Bereich der Website müssen wir sicherstellen, dass\nSie die Person sind, für die Sie sich ausgeben. Dazu bitten wir Sie,\nIhre E-Mail-Adresse zu bestätigen. ',
 'We have sent an email to you for\nverification. Please click on the link inside that email. If you do not see the verification email in your main inbox, check your spam folder. Otherwise\ncontact us if you do not receive it within a few minutes.':
   'Wir haben Ihnen eine E-Mail zur\nBestätigung gesendet. Bitte klicken Sie auf den Link in dieser E-Mail. Falls Sie die Bestätigungs-E-Mail nicht in Ihrem Posteingang finden, überprüfen Sie bitte Ihren Spam-Ordner. Sollten Sie sie\nnicht innerhalb weniger Minuten erhalten, kontaktieren Sie uns bitte.',
 '<strong>Note:</strong> you can still <a href="%(email_url)s">change your email address</a>.':
   '<strong>Hinweis:</strong> Sie können Ihre <a href="%(email_url)s">E-Mail-Adresse noch ändern</a>.',
 '%(client_name)s wants to access your %(site_name)s account.': '%(client_name)s möchte auf Ihr %(site_name)s-Konto zugreifen.',
 'Enter the code displayed on your device.': 'Geben Sie den auf Ihrem Gerät angezeigten Code ein.',
 'Please confirm the code shown on your %(client_name)s to authorize this device.':
   'Bitte bestätigen Sie den auf Ihrem %(client_name)s angezeigten Code, um dieses Gerät zu autorisieren.',
 'You successfully authorized your %(client_name)s device.': 'Sie haben Ihr Gerät %(client_name)s erfolgreich autorisiert.',
 'Authorization for your %(client_name)s device has been denied.': 'Die Autorisierung für Ihr Gerät %(client_name)s wurde abgelehnt.',
 'You are about to generate a new set of recovery codes for your account.': 'Sie sind dabei, einen neuen Satz Wiederherstellungscodes für Ihr Konto zu generieren.',
 'You are about to deactivate authenticator app based authentication. Are you sure?': 'Sie sind dabei, die Authentifizierung per Authenticator-App zu deaktivieren. Sind Sie sicher?',
 'You are about to connect a new third-party account from %(provider)s.': 'Sie sind dabei, ein neues Drittanbieterkonto von %(provider)s zu verknüpfen.',
 'You are about to sign in using a third-party account from %(provider)s.': 'Sie sind dabei, sich mit einem Drittanbieterkonto von %(provider)s anzumelden.',
 'You decided to cancel logging in to our site using one of your existing accounts. If this was a mistake, please proceed to <a href="%(login_url)s">sign in</a>.':
   'Sie haben die Anmeldung über eines Ihrer bestehenden Konten abgebrochen. Falls dies ein Versehen war, <a href="%(login_url)s">melden Sie sich bitte hier an</a>.',
 'You are about to use your %(provider_name)s account to login to\n%(site_name)s. As a final step, please complete the following form:':
   'Sie sind dabei, sich mit Ihrem %(provider_name)s-Konto bei\n%(site_name)s anzumelden. Bitte füllen Sie abschließend das folgende Formular aus:',
 # button / heading labels
 'Sign In': 'Anmelden',
 'Sign Up': 'Registrieren',
 'Sign Out': 'Abmelden',
 'Confirm': 'Bestätigen',
}
LABELS = {'Sign In', 'Sign Up', 'Sign Out', 'Confirm'}

informal = re.compile(r'\b(du|dich|dir|dein\w*|erstelle|gib|versuche|klicke?|bestätige|melde|wähle|kontaktiere|lass|folge|überprüfe|rufe|verwende|hast|bist|kannst|musst|möchtest|erhältst|siehst|sendest|solltest)\b', re.I)

by_key = {}
for e in src:
    if e.obsolete: continue
    by_key.setdefault((e.msgctxt, e.msgid), e)

# sanity: every informal source entry covered, every T key exists
errors = []
for (ctx, mid), e in by_key.items():
    strs = list(e.msgstr_plural.values()) if e.msgid_plural else [e.msgstr]
    if any(informal.search(s) for s in strs) and mid not in T:
        errors.append(f'informal not covered: {mid!r} -> {strs!r}')
for mid in T:
    if (None, mid) not in by_key:
        errors.append(f'msgid not in allauth catalogue (ctx=None): {mid!r}')
for mid, s in T.items():
    if informal.search(s): errors.append(f'new msgstr still informal: {s!r}')
    ph = lambda x: sorted(re.findall(r'%\([a-z_]+\)s|%[sd]|\{[^}]*\}|</?[a-z]+[^>]*>', x))
    if ph(mid) != ph(s): errors.append(f'placeholder mismatch: {mid!r}: {ph(mid)} vs {ph(s)}')
if errors:
    print('\n'.join(errors)); sys.exit(1)

out = polib.POFile(wrapwidth=78)
out.header = ('German (formal "Sie") overrides for django-allauth, SPIN Portal.\n'
              'Generated from allauth %s de catalogue; only changed entries are listed.\n'
              'Loaded via LOCALE_PATHS ahead of allauth\'s own catalogue.')
import allauth
out.header = out.header % allauth.__version__
out.metadata = {
    'Project-Id-Version': 'spinportal-allauth-overrides',
    'Report-Msgid-Bugs-To': '',
    'POT-Creation-Date': src.metadata.get('POT-Creation-Date', ''),
    'PO-Revision-Date': __import__('datetime').datetime.now().astimezone().strftime('%Y-%m-%d %H:%M%z'),
    'Last-Translator': 'SPIN Portal',
    'Language-Team': 'German',
    'Language': 'de',
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=UTF-8',
    'Content-Transfer-Encoding': '8bit',
    'Plural-Forms': 'nplurals=2; plural=(n != 1);',
}
changed = []
for e in src:   # keep allauth's order
    if e.obsolete or e.msgctxt is not None or e.msgid not in T: continue
    new = T[e.msgid]
    ne = polib.POEntry(msgid=e.msgid, msgctxt=e.msgctxt, msgstr=new,
                       occurrences=e.occurrences, flags=[f for f in e.flags if f != 'fuzzy'])
    if e.msgid_plural:
        raise SystemExit('unexpected plural entry ' + e.msgid)
    out.append(ne)
    changed.append((e.msgid, e.msgstr, new))
out.save(DST)
print('entries written:', len(out))
print('identical to allauth:', [m for m, o, n in changed if o == n])
