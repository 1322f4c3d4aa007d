; The Windows installer for LanQA (Inno Setup 6). Not yet built: see packaging/README.md.
; Build dist\LanQA with packaging\build.sh first, put MicrosoftEdgeWebview2Setup.exe next
; to this file, then, from the repository folder:
;   iscc /DAppVersion=0.1.0 packaging\lanqa.iss
; It writes dist\LanQA-<version>-setup.exe.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
; The WebView2 runtime's client id, the same on every machine.
#define WebView2 "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

[Setup]
; AppId identifies LanQA for upgrades and uninstalling: never change it.
AppId={{9BF33E3C-D389-476F-A886-1328A330C2BB}
AppName=LanQA
AppVersion={#AppVersion}
AppPublisher=LanQA
DefaultDirName={autopf}\LanQA
DisableProgramGroupPage=yes
; For the current user without administrator rights; an administrator may install for
; everyone instead, which also opens the firewall for LanQA on private networks.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist
OutputBaseFilename=LanQA-{#AppVersion}-setup
SetupIconFile=lanqa.ico
UninstallDisplayIcon={app}\LanQA.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "..\dist\LanQA\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
; Microsoft's evergreen bootstrapper (about 2 MB): it downloads and installs the runtime.
Source: "MicrosoftEdgeWebview2Setup.exe"; DestDir: "{tmp}"; Flags: deleteafterinstall; Check: NeedsWebView2

[Icons]
Name: "{autoprograms}\LanQA"; Filename: "{app}\LanQA.exe"
Name: "{autodesktop}\LanQA"; Filename: "{app}\LanQA.exe"; Tasks: desktopicon

[Run]
Filename: "{tmp}\MicrosoftEdgeWebview2Setup.exe"; Parameters: "/silent /install"; \
    StatusMsg: "Installing the Microsoft Edge WebView2 Runtime..."; Check: NeedsWebView2
; Phones reach LanQA through the firewall: allow it on private networks, so Windows
; does not ask at the first start.
Filename: "{sys}\netsh.exe"; \
    Parameters: "advfirewall firewall add rule name=""LanQA"" dir=in action=allow program=""{app}\LanQA.exe"" profile=private enable=yes"; \
    Flags: runhidden; Check: IsAdminInstallMode
Filename: "{sys}\netsh.exe"; \
    Parameters: "advfirewall firewall add rule name=""LanQA"" dir=in action=allow program=""{app}\lanqa-cli.exe"" profile=private enable=yes"; \
    Flags: runhidden; Check: IsAdminInstallMode
Filename: "{app}\LanQA.exe"; Description: "{cm:LaunchProgram,LanQA}"; Flags: nowait postinstall skipifsilent

[UninstallRun]
Filename: "{sys}\netsh.exe"; \
    Parameters: "advfirewall firewall delete rule name=""LanQA"""; \
    Flags: runhidden; Check: IsAdminInstallMode; RunOnceId: "LanQAFirewall"

[Code]
function HasWebView2(Root: Integer; Key: String): Boolean;
var
  Version: String;
begin
  Result := RegQueryStringValue(Root, Key, 'pv', Version)
    and (Version <> '') and (Version <> '0.0.0.0');
end;

{ Where Microsoft documents the runtime's version: per machine (32-bit registry view)
  or per user. Windows 11 always has it. }
function NeedsWebView2: Boolean;
var
  Key: String;
begin
  Key := 'Microsoft\EdgeUpdate\Clients\{#WebView2}';
  Result := not (HasWebView2(HKLM32, 'SOFTWARE\' + Key) or HasWebView2(HKCU, 'Software\' + Key));
end;
