<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="cy_GB">
<context>
    <name>LibraryMessages</name>
    <message>
        <source>wrong passphrase for store %1</source>
        <translation>cyfrinymadrodd anghywir ar gyfer y storfa %1</translation>
    </message>
    <message>
        <source>check the passphrase (it is case-sensitive); nothing was changed</source>
        <translation>gwiriwch y cyfrinymadrodd (mae priflythrennau&apos;n cyfrif); ni newidiwyd dim</translation>
    </message>
    <message>
        <source>the passphrase is empty</source>
        <translation>mae&apos;r cyfrinymadrodd yn wag</translation>
    </message>
    <message>
        <source>the passphrase is too short (%1 characters)</source>
        <translation>mae&apos;r cyfrinymadrodd yn rhy fyr (%1 nod)</translation>
    </message>
    <message>
        <source>the passphrase is too repetitive</source>
        <translation>mae&apos;r cyfrinymadrodd yn ailadrodd gormod</translation>
    </message>
    <message>
        <source>the passphrase is built on a well-known password</source>
        <translation>mae&apos;r cyfrinymadrodd wedi&apos;i seilio ar gyfrinair adnabyddus</translation>
    </message>
    <message>
        <source>use at least 12 characters; four or more random words are easy to type and hard to guess</source>
        <translation>defnyddiwch o leiaf 12 nod; mae pedwar gair ar hap neu fwy yn hawdd eu teipio ac yn anodd eu dyfalu</translation>
    </message>
    <message>
        <source>the session is locked</source>
        <translation>mae&apos;r sesiwn wedi&apos;i chloi</translation>
    </message>
    <message>
        <source>unlock the store again</source>
        <translation>datglowch y storfa eto</translation>
    </message>
    <message>
        <source>the store is busy: %1 kept it for writing for more than %2 s; nothing was changed</source>
        <translation>mae&apos;r storfa&apos;n brysur: cadwodd %1 hi i ysgrifennu am fwy na %2 eiliad; ni newidiwyd dim</translation>
    </message>
    <message>
        <source>try again when that command has finished</source>
        <translation>rhowch gynnig arall arni pan fydd y gorchymyn hwnnw wedi gorffen</translation>
    </message>
    <message>
        <source>the disk is full</source>
        <translation>mae&apos;r ddisg yn llawn</translation>
    </message>
    <message>
        <source>the disk is full: the store is open read only</source>
        <translation>mae&apos;r ddisg yn llawn: mae&apos;r storfa ar agor i&apos;w darllen yn unig</translation>
    </message>
    <message>
        <source>cannot write %1: the disk is full</source>
        <translation>methu ysgrifennu %1: mae&apos;r ddisg yn llawn</translation>
    </message>
    <message>
        <source>nothing was written</source>
        <translation>ni ysgrifennwyd dim</translation>
    </message>
    <message>
        <source>the store is read-only</source>
        <translation>mae&apos;r storfa i&apos;w darllen yn unig</translation>
    </message>
    <message>
        <source>the database is damaged</source>
        <translation>mae&apos;r gronfa ddata wedi&apos;i difrodi</translation>
    </message>
    <message>
        <source>cannot connect to server: %1</source>
        <translation>methu cysylltu â&apos;r gweinydd: %1</translation>
    </message>
    <message>
        <source>this store is not enrolled with a central store</source>
        <translation>nid yw&apos;r storfa hon wedi&apos;i chofrestru gyda storfa ganolog</translation>
    </message>
    <message>
        <source>not a date: %1</source>
        <translation>nid yw&apos;n ddyddiad: %1</translation>
    </message>
    <message>
        <source>write dates as YYYY-MM-DD, e.g. 2026-03-04</source>
        <translation>ysgrifennwch ddyddiadau fel BBBB-MM-DD, e.e. 2026-03-04</translation>
    </message>
    <message>
        <source>write dates as DD/MM/YYYY, e.g. 04/03/2026</source>
        <translation>ysgrifennwch ddyddiadau fel DD/MM/BBBB, e.e. 04/03/2026</translation>
    </message>
    <message>
        <source>the text is not valid UTF-8</source>
        <translation>nid yw&apos;r testun yn UTF-8 dilys</translation>
    </message>
    <message>
        <source>case was purged from this device</source>
        <translation>cafodd yr achos ei ddileu o&apos;r ddyfais hon</translation>
    </message>
    <message>
        <source>no case &apos;%1&apos;</source>
        <translation>dim achos &apos;%1&apos;</translation>
    </message>
    <message>
        <source>no unresolved paragraph conflict there</source>
        <translation>dim gwrthdaro paragraff heb ei ddatrys yno</translation>
    </message>
    <message>
        <source>a legal hold needs a reason</source>
        <translation>mae angen rheswm dros ataliad cyfreithiol</translation>
    </message>
    <message>
        <source>case %1 is not on hold</source>
        <translation>nid yw achos %1 wedi&apos;i atal</translation>
    </message>
    <message>
        <source>Not found.</source>
        <translation>Heb ei ganfod.</translation>
    </message>
    <message>
        <source>The data is damaged or not valid.</source>
        <translation>Mae&apos;r data wedi&apos;i ddifrodi neu nid yw&apos;n ddilys.</translation>
    </message>
    <message>
        <source>A passphrase, key or signature did not match.</source>
        <translation>Nid oedd cyfrinymadrodd, allwedd neu lofnod yn cyfateb.</translation>
    </message>
    <message>
        <source>This clashes with what is already there.</source>
        <translation>Mae hyn yn gwrthdaro â&apos;r hyn sydd yno eisoes.</translation>
    </message>
    <message>
        <source>Not possible just now; try again later.</source>
        <translation>Ddim yn bosibl ar hyn o bryd; rhowch gynnig arall arni yn nes ymlaen.</translation>
    </message>
    <message>
        <source>What was entered is not valid.</source>
        <translation>Nid yw&apos;r hyn a roddwyd yn ddilys.</translation>
    </message>
    <message>
        <source>The computer refused to read or write a file.</source>
        <translation>Gwrthododd y cyfrifiadur ddarllen neu ysgrifennu ffeil.</translation>
    </message>
    <message>
        <source>The disk is full; nothing was changed.</source>
        <translation>Mae&apos;r ddisg yn llawn; ni newidiwyd dim.</translation>
    </message>
    <message>
        <source>This version of casepack does not understand it.</source>
        <translation>Nid yw&apos;r fersiwn hon o casepack yn ei ddeall.</translation>
    </message>
    <message>
        <source>(The details, in English: %1.)</source>
        <translation>(Y manylion, yn Saesneg: %1.)</translation>
    </message>
    <message>
        <source>chronology header: the period covered ends (%1) before it starts (%2)</source>
        <translation>pennawd y gronoleg: mae&apos;r cyfnod dan sylw yn dod i ben (%1) cyn iddo ddechrau (%2)</translation>
    </message>
    <message>
        <source>check the dates of the time period covered</source>
        <translation>gwiriwch ddyddiadau&apos;r cyfnod dan sylw</translation>
    </message>
</context>
<context>
    <name>QDialogButtonBox</name>
    <message>
        <source>OK</source>
        <translation>Iawn</translation>
    </message>
</context>
<context>
    <name>QDockWidget</name>
    <message>
        <source>Close</source>
        <translation>Cau</translation>
    </message>
    <message>
        <source>Float</source>
        <translation>Arnofio</translation>
    </message>
    <message>
        <source>Closes the dock widget</source>
        <translation>Yn cau&apos;r panel</translation>
    </message>
    <message>
        <source>Undocks and re-attaches the dock widget</source>
        <translation>Yn datgysylltu ac yn ailgysylltu&apos;r panel</translation>
    </message>
</context>
<context>
    <name>QFileDialog</name>
    <message>
        <source>Look in:</source>
        <translation>Edrych yn:</translation>
    </message>
    <message>
        <source>File &amp;name:</source>
        <translation>&amp;Enw&apos;r ffeil:</translation>
    </message>
    <message>
        <source>Files of type:</source>
        <translation>Ffeiliau o&apos;r math:</translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>&amp;Agor</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Cadw</translation>
    </message>
    <message>
        <source>&amp;Choose</source>
        <translation>&amp;Dewis</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Agor</translation>
    </message>
    <message>
        <source>Save As</source>
        <translation>Cadw Fel</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Yn ôl</translation>
    </message>
    <message>
        <source>Forward</source>
        <translation>Ymlaen</translation>
    </message>
    <message>
        <source>Go back</source>
        <translation>Mynd yn ôl</translation>
    </message>
    <message>
        <source>Go forward</source>
        <translation>Mynd ymlaen</translation>
    </message>
    <message>
        <source>Parent Directory</source>
        <translation>Ffolder Rhiant</translation>
    </message>
    <message>
        <source>Go to the parent directory</source>
        <translation>Mynd i&apos;r ffolder rhiant</translation>
    </message>
    <message>
        <source>Create New Folder</source>
        <translation>Creu Ffolder Newydd</translation>
    </message>
    <message>
        <source>Create a New Folder</source>
        <translation>Creu Ffolder Newydd</translation>
    </message>
    <message>
        <source>List View</source>
        <translation>Golwg Rhestr</translation>
    </message>
    <message>
        <source>Change to list view mode</source>
        <translation>Newid i olwg rhestr</translation>
    </message>
    <message>
        <source>Detail View</source>
        <translation>Golwg Manylion</translation>
    </message>
    <message>
        <source>Change to detail view mode</source>
        <translation>Newid i olwg manylion</translation>
    </message>
    <message>
        <source>Sidebar</source>
        <translation>Bar ochr</translation>
    </message>
    <message>
        <source>List of places and bookmarks</source>
        <translation>Rhestr o leoedd a nodau tudalen</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>Ffeiliau</translation>
    </message>
    <message>
        <source>Directory:</source>
        <translation>Ffolder:</translation>
    </message>
    <message>
        <source>Directories</source>
        <translation>Ffolderi</translation>
    </message>
    <message>
        <source>Find Directory</source>
        <translation>Dod o hyd i Ffolder</translation>
    </message>
    <message>
        <source>Recent Places</source>
        <translation>Lleoedd Diweddar</translation>
    </message>
    <message>
        <source>New Folder</source>
        <translation>Ffolder Newydd</translation>
    </message>
    <message>
        <source>&amp;New Folder</source>
        <translation>Ffolder &amp;Newydd</translation>
    </message>
    <message>
        <source>&amp;Rename</source>
        <translation>&amp;Ailenwi</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Dileu</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Dileu</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Tynnu</translation>
    </message>
    <message>
        <source>Show &amp;hidden files</source>
        <translation>Dangos ffeiliau &amp;cudd</translation>
    </message>
    <message>
        <source>All Files (*)</source>
        <translation>Pob Ffeil (*)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>Pob ffeil (*)</translation>
    </message>
    <message>
        <source>%1 already exists.
Do you want to replace it?</source>
        <translation>Mae %1 yn bodoli&apos;n barod.
Ydych chi am osod hon yn ei lle?</translation>
    </message>
    <message>
        <source>Are you sure you want to delete &apos;%1&apos;?</source>
        <translation>Ydych chi&apos;n siŵr eich bod am ddileu &apos;%1&apos;?</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is write protected.
Do you want to delete it anyway?</source>
        <translation>Mae &apos;%1&apos; wedi&apos;i diogelu rhag ysgrifennu.
Ydych chi am ei dileu beth bynnag?</translation>
    </message>
    <message>
        <source>Could not delete directory.</source>
        <translation>Methu dileu&apos;r ffolder.</translation>
    </message>
    <message>
        <source>%1
File not found.
Please verify the correct file name was given.</source>
        <translation>%1
Heb ddod o hyd i&apos;r ffeil.
Gwiriwch fod enw cywir y ffeil wedi&apos;i roi.</translation>
    </message>
    <message>
        <source>%1
Directory not found.
Please verify the correct directory name was given.</source>
        <translation>%1
Heb ddod o hyd i&apos;r ffolder.
Gwiriwch fod enw cywir y ffolder wedi&apos;i roi.</translation>
    </message>
</context>
<context>
    <name>QFileSystemModel</name>
    <message>
        <source>Name</source>
        <translation>Enw</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Maint</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Math</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Math</translation>
    </message>
    <message>
        <source>Date Modified</source>
        <translation>Dyddiad Newid</translation>
    </message>
    <message>
        <source>My Computer</source>
        <translation>Fy Nghyfrifiadur</translation>
    </message>
    <message>
        <source>Computer</source>
        <translation>Cyfrifiadur</translation>
    </message>
</context>
<context>
    <name>QInputDialog</name>
    <message>
        <source>Enter a value:</source>
        <translation>Rhowch werth:</translation>
    </message>
</context>
<context>
    <name>QLineEdit</name>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Dadwneud</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Ailwneud</translation>
    </message>
    <message>
        <source>Cu&amp;t</source>
        <translation>&amp;Torri</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Copïo</translation>
    </message>
    <message>
        <source>&amp;Paste</source>
        <translation>&amp;Gludo</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Dileu</translation>
    </message>
    <message>
        <source>Select All</source>
        <translation>Dewis y Cyfan</translation>
    </message>
</context>
<context>
    <name>QMessageBox</name>
    <message>
        <source>Show Details...</source>
        <translation>Dangos Manylion...</translation>
    </message>
    <message>
        <source>Hide Details...</source>
        <translation>Cuddio Manylion...</translation>
    </message>
</context>
<context>
    <name>QPlatformTheme</name>
    <message>
        <source>OK</source>
        <translation>Iawn</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Diddymu</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cau</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Cadw</translation>
    </message>
    <message>
        <source>Save All</source>
        <translation>Cadw&apos;r Cyfan</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Agor</translation>
    </message>
    <message>
        <source>&amp;Yes</source>
        <translation>&amp;Iawn</translation>
    </message>
    <message>
        <source>Yes to &amp;All</source>
        <translation>Iawn i&apos;r &amp;Cyfan</translation>
    </message>
    <message>
        <source>&amp;No</source>
        <translation>&amp;Na</translation>
    </message>
    <message>
        <source>N&amp;o to All</source>
        <translation>Na i&apos;r C&amp;yfan</translation>
    </message>
    <message>
        <source>Abort</source>
        <translation>Rhoi&apos;r gorau iddi</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Ceisio eto</translation>
    </message>
    <message>
        <source>Ignore</source>
        <translation>Anwybyddu</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Taflu</translation>
    </message>
    <message>
        <source>Help</source>
        <translation>Cymorth</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Gweithredu</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Ailosod</translation>
    </message>
    <message>
        <source>Restore Defaults</source>
        <translation>Adfer y Rhagosodiadau</translation>
    </message>
</context>
<context>
    <name>QScrollBar</name>
    <message>
        <source>Scroll here</source>
        <translation>Sgrolio yma</translation>
    </message>
    <message>
        <source>Top</source>
        <translation>Brig</translation>
    </message>
    <message>
        <source>Bottom</source>
        <translation>Gwaelod</translation>
    </message>
    <message>
        <source>Left edge</source>
        <translation>Ymyl chwith</translation>
    </message>
    <message>
        <source>Right edge</source>
        <translation>Ymyl dde</translation>
    </message>
    <message>
        <source>Page up</source>
        <translation>Tudalen i fyny</translation>
    </message>
    <message>
        <source>Page down</source>
        <translation>Tudalen i lawr</translation>
    </message>
    <message>
        <source>Page left</source>
        <translation>Tudalen i&apos;r chwith</translation>
    </message>
    <message>
        <source>Page right</source>
        <translation>Tudalen i&apos;r dde</translation>
    </message>
    <message>
        <source>Scroll up</source>
        <translation>Sgrolio i fyny</translation>
    </message>
    <message>
        <source>Scroll down</source>
        <translation>Sgrolio i lawr</translation>
    </message>
    <message>
        <source>Scroll left</source>
        <translation>Sgrolio i&apos;r chwith</translation>
    </message>
    <message>
        <source>Scroll right</source>
        <translation>Sgrolio i&apos;r dde</translation>
    </message>
</context>
<context>
    <name>QWidgetTextControl</name>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Dadwneud</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Ailwneud</translation>
    </message>
    <message>
        <source>Cu&amp;t</source>
        <translation>&amp;Torri</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Copïo</translation>
    </message>
    <message>
        <source>Copy &amp;Link Location</source>
        <translation>Copïo &amp;Lleoliad y Ddolen</translation>
    </message>
    <message>
        <source>&amp;Paste</source>
        <translation>&amp;Gludo</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Dileu</translation>
    </message>
    <message>
        <source>Select All</source>
        <translation>Dewis y Cyfan</translation>
    </message>
</context>
<context>
    <name>Words</name>
    <message>
        <source>What is working well? What strengths and safety are already there? Who helps?</source>
        <translation>Beth sy&apos;n gweithio&apos;n dda? Pa gryfderau a diogelwch sydd yno&apos;n barod? Pwy sy&apos;n helpu?</translation>
    </message>
    <message>
        <source>What are we worried about? What harm has happened, and what could happen if nothing changes?</source>
        <translation>Beth sy&apos;n ein poeni? Pa niwed sydd wedi digwydd, a beth allai ddigwydd os nad oes dim yn newid?</translation>
    </message>
    <message>
        <source>What are we unsure about? What do we need to know more about?</source>
        <translation>Am beth ydyn ni&apos;n ansicr? Am beth mae angen i ni wybod mwy?</translation>
    </message>
    <message>
        <source>What makes this harder to understand or to change?</source>
        <translation>Beth sy&apos;n gwneud hyn yn anoddach i&apos;w ddeall neu i&apos;w newid?</translation>
    </message>
    <message>
        <source>done (late)</source>
        <translation>wedi&apos;i wneud (yn hwyr)</translation>
    </message>
    <message>
        <source>done</source>
        <translation>wedi&apos;i wneud</translation>
    </message>
    <message>
        <source>waiting for an earlier date</source>
        <translation>yn aros am ddyddiad cynharach</translation>
    </message>
    <message>
        <source>due today</source>
        <translation>i&apos;w wneud heddiw</translation>
    </message>
    <message>
        <source>due in 1 day</source>
        <translation>i&apos;w wneud ymhen 1 diwrnod</translation>
    </message>
    <message>
        <source>due in %1 days</source>
        <translation>i&apos;w wneud ymhen %1 diwrnod</translation>
    </message>
    <message>
        <source>overdue by 1 day</source>
        <translation>1 diwrnod yn hwyr</translation>
    </message>
    <message>
        <source>overdue by %1 days</source>
        <translation>%1 diwrnod yn hwyr</translation>
    </message>
    <message>
        <source>⚠ two versions: see the conflicts bar</source>
        <translation>⚠ dau fersiwn: gweler y bar gwrthdaro</translation>
    </message>
    <message>
        <source>Report preview</source>
        <translation>Rhagolwg o&apos;r adroddiad</translation>
    </message>
    <message>
        <source>Timescales</source>
        <translation>Amserlenni</translation>
    </message>
    <message>
        <source>Key dates</source>
        <translation>Dyddiadau allweddol</translation>
    </message>
    <message>
        <source>Attendance</source>
        <translation>Presenoldeb</translation>
    </message>
    <message>
        <source>New attendee agency</source>
        <translation>Asiantaeth y person newydd sy&apos;n bresennol</translation>
    </message>
    <message>
        <source>New attendee role</source>
        <translation>Rôl y person newydd sy&apos;n bresennol</translation>
    </message>
    <message>
        <source>New attendee name</source>
        <translation>Enw&apos;r person newydd sy&apos;n bresennol</translation>
    </message>
    <message>
        <source>New attendee reason</source>
        <translation>Rheswm y person newydd dros fod yn absennol</translation>
    </message>
    <message>
        <source>Add attendee</source>
        <translation>Ychwanegu person</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>Camau gweithredu</translation>
    </message>
    <message>
        <source>New action</source>
        <translation>Cam gweithredu newydd</translation>
    </message>
    <message>
        <source>New action owner agency</source>
        <translation>Asiantaeth perchennog y cam gweithredu newydd</translation>
    </message>
    <message>
        <source>New action owner role</source>
        <translation>Rôl perchennog y cam gweithredu newydd</translation>
    </message>
    <message>
        <source>New action due date</source>
        <translation>Dyddiad cwblhau&apos;r cam gweithredu newydd</translation>
    </message>
    <message>
        <source>Add action</source>
        <translation>Ychwanegu cam gweithredu</translation>
    </message>
    <message>
        <source>Chronology</source>
        <translation>Cronoleg</translation>
    </message>
    <message>
        <source>Chronology date</source>
        <translation>Dyddiad y gronoleg</translation>
    </message>
    <message>
        <source>Chronology source</source>
        <translation>Ffynhonnell y gronoleg</translation>
    </message>
    <message>
        <source>Chronology event</source>
        <translation>Digwyddiad y gronoleg</translation>
    </message>
    <message>
        <source>Chronology action taken</source>
        <translation>Camau a gymerwyd yn y gronoleg</translation>
    </message>
    <message>
        <source>Chronology analysis</source>
        <translation>Dadansoddiad yn y gronoleg</translation>
    </message>
    <message>
        <source>Add chronology entry</source>
        <translation>Ychwanegu cofnod at y gronoleg</translation>
    </message>
    <message>
        <source>Documents</source>
        <translation>Dogfennau</translation>
    </message>
    <message>
        <source>Sent by agency</source>
        <translation>Anfonwyd gan asiantaeth</translation>
    </message>
    <message>
        <source>Add a document</source>
        <translation>Ychwanegu dogfen</translation>
    </message>
    <message>
        <source>Open document</source>
        <translation>Agor dogfen</translation>
    </message>
    <message>
        <source>Participant feedback</source>
        <translation>Adborth gan gyfranogwyr</translation>
    </message>
    <message>
        <source>Feedback agency</source>
        <translation>Asiantaeth yr adborth</translation>
    </message>
    <message>
        <source>Feedback role</source>
        <translation>Rôl yr adborth</translation>
    </message>
    <message>
        <source>Add feedback form</source>
        <translation>Ychwanegu ffurflen adborth</translation>
    </message>
    <message>
        <source>all steps done</source>
        <translation>pob cam wedi&apos;i wneud</translation>
    </message>
    <message>
        <source>overdue since %1 — %2</source>
        <translation>yn hwyr ers %1 — %2</translation>
    </message>
    <message>
        <source>waiting — %1</source>
        <translation>yn aros — %1</translation>
    </message>
    <message>
        <source>on hold</source>
        <translation>wedi&apos;i atal</translation>
    </message>
    <message>
        <source>purge %1</source>
        <translation>dileu %1</translation>
    </message>
    <message>
        <source>no purge date yet</source>
        <translation>dim dyddiad dileu eto</translation>
    </message>
    <message>
        <source>On hold (court proceedings): nothing is purged while the hold lasts.</source>
        <translation>Wedi&apos;i atal (achos llys): ni fydd dim yn cael ei ddileu tra bo&apos;r ataliad yn parhau.</translation>
    </message>
    <message>
        <source>Purged from every device on %1.</source>
        <translation>Yn cael ei ddileu o bob dyfais ar %1.</translation>
    </message>
    <message>
        <source>No purge date yet: it is set once the report date is recorded.</source>
        <translation>Dim dyddiad dileu eto: caiff ei osod pan gofnodir dyddiad yr adroddiad.</translation>
    </message>
    <message>
        <source>Action: %1</source>
        <translation>Cam gweithredu: %1</translation>
    </message>
    <message>
        <source>owner</source>
        <translation>perchennog</translation>
    </message>
    <message>
        <source>due date</source>
        <translation>dyddiad cwblhau</translation>
    </message>
    <message>
        <source>Attendance: %1</source>
        <translation>Presenoldeb: %1</translation>
    </message>
    <message>
        <source>status</source>
        <translation>statws</translation>
    </message>
    <message>
        <source>Key date</source>
        <translation>Dyddiad allweddol</translation>
    </message>
    <message>
        <source>Not connected to a central store: everything stays on this laptop.</source>
        <translation>Heb gysylltu â storfa ganolog: mae popeth yn aros ar y gliniadur hwn.</translation>
    </message>
    <message>
        <source>Offline: the central store cannot be reached. Nothing is lost; it will try again.</source>
        <translation>All-lein: methu cyrraedd y storfa ganolog. Does dim wedi&apos;i golli; bydd yn ceisio eto.</translation>
    </message>
    <message>
        <source>Synced</source>
        <translation>Wedi cysoni</translation>
    </message>
    <message>
        <source>Synced, but some cases could not be: try again later.</source>
        <translation>Wedi cysoni, ond methwyd â chysoni rhai achosion: rhowch gynnig arall arni yn nes ymlaen.</translation>
    </message>
    <message>
        <source>someone</source>
        <translation>rhywun</translation>
    </message>
    <message>
        <source>a colleague (no name set)</source>
        <translation>cydweithiwr (dim enw wedi&apos;i osod)</translation>
    </message>
    <message>
        <source>Delete attendee</source>
        <translation>Dileu person</translation>
    </message>
    <message>
        <source>Delete action</source>
        <translation>Dileu cam gweithredu</translation>
    </message>
    <message>
        <source>Delete chronology entry</source>
        <translation>Dileu cofnod o&apos;r gronoleg</translation>
    </message>
    <message>
        <source>Delete document</source>
        <translation>Dileu dogfen</translation>
    </message>
    <message>
        <source>Delete feedback form</source>
        <translation>Dileu ffurflen adborth</translation>
    </message>
    <message>
        <source>Facilitator&apos;s comments</source>
        <translation>Sylwadau&apos;r hwylusydd</translation>
    </message>
    <message>
        <source>Notes: %1</source>
        <translation>Nodiadau: %1</translation>
    </message>
    <message>
        <source>paragraph %1</source>
        <translation>paragraff %1</translation>
    </message>
    <message>
        <source>Action reported on</source>
        <translation>Dyddiad adrodd yn ôl ar y cam gweithredu</translation>
    </message>
    <message>
        <source>Record action reported</source>
        <translation>Cofnodi adrodd yn ôl ar y cam gweithredu</translation>
    </message>
    <message>
        <source>Action recommendation</source>
        <translation>Argymhelliad y cam gweithredu</translation>
    </message>
    <message>
        <source>Action rationale</source>
        <translation>Rhesymeg y cam gweithredu</translation>
    </message>
    <message>
        <source>Action intended outcome</source>
        <translation>Canlyniad a fwriedir y cam gweithredu</translation>
    </message>
    <message>
        <source>Action measure of success</source>
        <translation>Mesur llwyddiant y cam gweithredu</translation>
    </message>
    <message>
        <source>Action progress</source>
        <translation>Cynnydd y cam gweithredu</translation>
    </message>
    <message>
        <source>Save action plan form</source>
        <translation>Cadw ffurflen y cynllun gweithredu</translation>
    </message>
    <message>
        <source>Save feedback form</source>
        <translation>Cadw&apos;r ffurflen adborth</translation>
    </message>
    <message>
        <source>Referral details</source>
        <translation>Manylion yr atgyfeiriad</translation>
    </message>
    <message>
        <source>Rationale for not referring</source>
        <translation>Rhesymeg dros beidio ag atgyfeirio</translation>
    </message>
    <message>
        <source>Referral decided on</source>
        <translation>Dyddiad penderfynu ar yr atgyfeiriad</translation>
    </message>
    <message>
        <source>Save referral</source>
        <translation>Cadw&apos;r atgyfeiriad</translation>
    </message>
    <message>
        <source>Summary Report writer</source>
        <translation>Awdur yr Adroddiad Cryno</translation>
    </message>
    <message>
        <source>Planning group</source>
        <translation>Grŵp cynllunio</translation>
    </message>
    <message>
        <source>Member agency</source>
        <translation>Asiantaeth yr aelod</translation>
    </message>
    <message>
        <source>Member name</source>
        <translation>Enw&apos;r aelod</translation>
    </message>
    <message>
        <source>Member role</source>
        <translation>Rôl yr aelod</translation>
    </message>
    <message>
        <source>Add planning group member</source>
        <translation>Ychwanegu aelod o&apos;r grŵp cynllunio</translation>
    </message>
    <message>
        <source>Delete planning group member</source>
        <translation>Dileu aelod o&apos;r grŵp cynllunio</translation>
    </message>
    <message>
        <source>Agency agreed on</source>
        <translation>Dyddiad cytuno&apos;r asiantaeth</translation>
    </message>
    <message>
        <source>Record agency agreement</source>
        <translation>Cofnodi cytundeb yr asiantaeth</translation>
    </message>
    <message>
        <source>LOG agreed on</source>
        <translation>Dyddiad cytuno&apos;r Grŵp Gweithredol Lleol</translation>
    </message>
    <message>
        <source>Record LOG agreement</source>
        <translation>Cofnodi cytundeb y Grŵp Gweithredol Lleol</translation>
    </message>
    <message>
        <source>Meeting time</source>
        <translation>Amser y cyfarfod</translation>
    </message>
    <message>
        <source>Chair</source>
        <translation>Cadeirydd</translation>
    </message>
    <message>
        <source>Minute-taker</source>
        <translation>Cofnodwr</translation>
    </message>
    <message>
        <source>Informs the family</source>
        <translation>Yn rhoi gwybod i&apos;r teulu</translation>
    </message>
    <message>
        <source>Action plan reviews</source>
        <translation>Adolygiadau o&apos;r cynllun gweithredu</translation>
    </message>
    <message>
        <source>Review held</source>
        <translation>Cynhaliwyd yr adolygiad</translation>
    </message>
    <message>
        <source>Next review</source>
        <translation>Adolygiad nesaf</translation>
    </message>
    <message>
        <source>Review note</source>
        <translation>Nodyn yr adolygiad</translation>
    </message>
    <message>
        <source>Add review</source>
        <translation>Ychwanegu adolygiad</translation>
    </message>
    <message>
        <source>Delete review</source>
        <translation>Dileu adolygiad</translation>
    </message>
    <message>
        <source>Report recipients</source>
        <translation>Derbynwyr yr adroddiad</translation>
    </message>
    <message>
        <source>Sent on</source>
        <translation>Anfonwyd ar</translation>
    </message>
    <message>
        <source>Record sent</source>
        <translation>Cofnodi ei anfon</translation>
    </message>
    <message>
        <source>Child&apos;s name or initials</source>
        <translation>Enw neu lythrennau blaen y plentyn</translation>
    </message>
    <message>
        <source>Local authority area</source>
        <translation>Ardal yr awdurdod lleol</translation>
    </message>
    <message>
        <source>Lead or convening agency</source>
        <translation>Asiantaeth arweiniol neu sy&apos;n cynnull</translation>
    </message>
    <message>
        <source>Venue</source>
        <translation>Lleoliad</translation>
    </message>
    <message>
        <source>Chronology subject</source>
        <translation>Unigolyn y gronoleg</translation>
    </message>
    <message>
        <source>Period covered from</source>
        <translation>Y cyfnod dan sylw o</translation>
    </message>
    <message>
        <source>Period covered to</source>
        <translation>Y cyfnod dan sylw hyd at</translation>
    </message>
    <message>
        <source>Chronology completed by</source>
        <translation>Cronoleg wedi&apos;i chwblhau gan</translation>
    </message>
    <message>
        <source>Chronology completed on</source>
        <translation>Dyddiad cwblhau&apos;r gronoleg</translation>
    </message>
    <message>
        <source>Chronology version</source>
        <translation>Fersiwn y gronoleg</translation>
    </message>
    <message>
        <source>Save chronology header</source>
        <translation>Cadw pennawd y gronoleg</translation>
    </message>
    <message>
        <source>Reviewers&apos; comments</source>
        <translation>Sylwadau&apos;r adolygwyr</translation>
    </message>
</context>
<context>
    <name>casepack::desktop::CaseView</name>
    <message>
        <source>Case</source>
        <translation>Achos</translation>
    </message>
    <message>
        <source>&amp;Report preview…</source>
        <translation>&amp;Rhagolwg o&apos;r adroddiad…</translation>
    </message>
    <message>
        <source>Preview the report exactly as it will be sent (Ctrl+P)</source>
        <translation>Gweld yr adroddiad yn union fel y caiff ei anfon (Ctrl+P)</translation>
    </message>
    <message>
        <source>Case sections</source>
        <translation>Adrannau&apos;r achos</translation>
    </message>
    <message>
        <source>&amp;Overview</source>
        <translation>&amp;Trosolwg</translation>
    </message>
    <message>
        <source>&amp;Meeting</source>
        <translation>&amp;Cyfarfod</translation>
    </message>
    <message>
        <source>&amp;Event</source>
        <translation>&amp;Digwyddiad</translation>
    </message>
    <message>
        <source>A&amp;ttendance</source>
        <translation>&amp;Presenoldeb</translation>
    </message>
    <message>
        <source>A&amp;ctions</source>
        <translation>C&amp;amau</translation>
    </message>
    <message>
        <source>C&amp;hronology</source>
        <translation>Cr&amp;onoleg</translation>
    </message>
    <message>
        <source>&amp;Papers</source>
        <translation>P&amp;apurau</translation>
    </message>
    <message>
        <source>&amp;Feedback</source>
        <translation>A&amp;dborth</translation>
    </message>
    <message>
        <source>Signs of Safety map</source>
        <translation>Map Arwyddion Diogelwch</translation>
    </message>
    <message>
        <source>The three questions</source>
        <translation>Y tri chwestiwn</translation>
    </message>
    <message>
        <source>Facilitator&apos;s comments (for the report)</source>
        <translation>Sylwadau&apos;r hwylusydd (ar gyfer yr adroddiad)</translation>
    </message>
    <message>
        <source>Anything you want the report to say in your own words.</source>
        <translation>Unrhyw beth rydych chi am i&apos;r adroddiad ei ddweud yn eich geiriau eich hun.</translation>
    </message>
    <message>
        <source>Agenda</source>
        <translation>Agenda</translation>
    </message>
    <message>
        <source>Other sections</source>
        <translation>Adrannau eraill</translation>
    </message>
    <message>
        <source>&lt;b&gt;Timescales&lt;/b&gt; (from the guidance; colour always comes with words)</source>
        <translation>&lt;b&gt;Amserlenni&lt;/b&gt; (o&apos;r canllawiau; daw geiriau gyda&apos;r lliw bob amser)</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Cam</translation>
    </message>
    <message>
        <source>Limit</source>
        <translation>Terfyn</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Erbyn</translation>
    </message>
    <message>
        <source>Where it is</source>
        <translation>Ble mae arni</translation>
    </message>
    <message>
        <source>Key date</source>
        <translation>Dyddiad allweddol</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Dyddiad</translation>
    </message>
    <message>
        <source>That date was not understood. Type it as DD/MM/YYYY, for example 27/11/2026.</source>
        <translation>Ni ddeallwyd y dyddiad hwnnw. Teipiwch ef fel DD/MM/BBBB, er enghraifft 27/11/2026.</translation>
    </message>
    <message>
        <source>Retention</source>
        <translation>Cadw</translation>
    </message>
    <message>
        <source>Agency</source>
        <translation>Asiantaeth</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rôl</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Enw</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Statws</translation>
    </message>
    <message>
        <source>Reason if not there</source>
        <translation>Rheswm os nad oedd yno</translation>
    </message>
    <message>
        <source>Who was invited and who came. Agencies missing, and their reasons, go into the report.</source>
        <translation>Pwy a wahoddwyd a phwy a ddaeth. Bydd yr asiantaethau a oedd yn absennol, a&apos;u rhesymau, yn mynd i&apos;r adroddiad.</translation>
    </message>
    <message>
        <source>Name (optional)</source>
        <translation>Enw (dewisol)</translation>
    </message>
    <message>
        <source>New attendee status</source>
        <translation>Statws y person newydd</translation>
    </message>
    <message>
        <source>Add attendee</source>
        <translation>Ychwanegu person</translation>
    </message>
    <message>
        <source>Type the agency first (for example Health or Gwent Police).</source>
        <translation>Teipiwch yr asiantaeth yn gyntaf (er enghraifft Iechyd neu Heddlu Gwent).</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Cam gweithredu</translation>
    </message>
    <message>
        <source>Owner agency</source>
        <translation>Asiantaeth y perchennog</translation>
    </message>
    <message>
        <source>Owner role</source>
        <translation>Rôl y perchennog</translation>
    </message>
    <message>
        <source>Due (DD/MM/YYYY)</source>
        <translation>Erbyn (DD/MM/BBBB)</translation>
    </message>
    <message>
        <source>Actions agreed, each with an owner and a date. Set the status to &quot;dropped&quot; to take one off the plan.</source>
        <translation>Camau gweithredu a gytunwyd, pob un â pherchennog a dyddiad. Gosodwch y statws i &quot;wedi&apos;i ollwng&quot; i dynnu un oddi ar y cynllun.</translation>
    </message>
    <message>
        <source>What is to be done</source>
        <translation>Beth sydd i&apos;w wneud</translation>
    </message>
    <message>
        <source>Due DD/MM/YYYY</source>
        <translation>Erbyn DD/MM/BBBB</translation>
    </message>
    <message>
        <source>Add action</source>
        <translation>Ychwanegu cam gweithredu</translation>
    </message>
    <message>
        <source>Type what is to be done first.</source>
        <translation>Teipiwch beth sydd i&apos;w wneud yn gyntaf.</translation>
    </message>
    <message>
        <source>Say who owns the action: an agency or a role.</source>
        <translation>Dywedwch pwy sy&apos;n berchen ar y cam gweithredu: asiantaeth neu rôl.</translation>
    </message>
    <message>
        <source>Type the due date as DD/MM/YYYY, for example 11/12/2026.</source>
        <translation>Teipiwch y dyddiad cwblhau fel DD/MM/BBBB, er enghraifft 11/12/2026.</translation>
    </message>
    <message>
        <source>Date &amp; time</source>
        <translation>Dyddiad ac amser</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Ffynhonnell</translation>
    </message>
    <message>
        <source>Significant event</source>
        <translation>Digwyddiad arwyddocaol</translation>
    </message>
    <message>
        <source>Action taken</source>
        <translation>Camau a gymerwyd</translation>
    </message>
    <message>
        <source>Analysis</source>
        <translation>Dadansoddiad</translation>
    </message>
    <message>
        <source>The multi-agency chronology (001 format), merged in date order.</source>
        <translation>Y gronoleg amlasiantaethol (fformat 001), wedi&apos;i chyfuno yn nhrefn dyddiad.</translation>
    </message>
    <message>
        <source>DD/MM/YYYY [HH:MM]</source>
        <translation>DD/MM/BBBB [AA:MM]</translation>
    </message>
    <message>
        <source>Source agency</source>
        <translation>Asiantaeth ffynhonnell</translation>
    </message>
    <message>
        <source>Add entry</source>
        <translation>Ychwanegu cofnod</translation>
    </message>
    <message>
        <source>Type the date as DD/MM/YYYY, with a time HH:MM if known.</source>
        <translation>Teipiwch y dyddiad fel DD/MM/BBBB, gydag amser AA:MM os yw&apos;n hysbys.</translation>
    </message>
    <message>
        <source>An entry needs at least its source and the significant event.</source>
        <translation>Mae angen o leiaf ffynhonnell a&apos;r digwyddiad arwyddocaol ar gofnod.</translation>
    </message>
    <message>
        <source>Papers checklist</source>
        <translation>Rhestr wirio&apos;r papurau</translation>
    </message>
    <message>
        <source>Paper</source>
        <translation>Papur</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Ffeil</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Oddi wrth</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Wedi dod i law</translation>
    </message>
    <message>
        <source>Kind of paper</source>
        <translation>Math o bapur</translation>
    </message>
    <message>
        <source>Sent by (agency)</source>
        <translation>Anfonwyd gan (asiantaeth)</translation>
    </message>
    <message>
        <source>Add a document…</source>
        <translation>Ychwanegu dogfen…</translation>
    </message>
    <message>
        <source>Open in viewer</source>
        <translation>Agor yn y gwyliwr</translation>
    </message>
    <message>
        <source>Say which agency sent the paper first.</source>
        <translation>Dywedwch pa asiantaeth a anfonodd y papur yn gyntaf.</translation>
    </message>
    <message>
        <source>Add a document to the case pack</source>
        <translation>Ychwanegu dogfen at becyn yr achos</translation>
    </message>
    <message>
        <source>That file could not be read. Check it is not open elsewhere.</source>
        <translation>Methu darllen y ffeil honno. Gwiriwch nad yw ar agor yn rhywle arall.</translation>
    </message>
    <message>
        <source>Choose a paper in the list first.</source>
        <translation>Dewiswch bapur yn y rhestr yn gyntaf.</translation>
    </message>
    <message>
        <source>Barriers?</source>
        <translation>Rhwystrau?</translation>
    </message>
    <message>
        <source>Q%1</source>
        <translation>C%1</translation>
    </message>
    <message>
        <source>Job role</source>
        <translation>Rôl swydd</translation>
    </message>
    <message>
        <source>Feedback barriers</source>
        <translation>Rhwystrau yn yr adborth</translation>
    </message>
    <message>
        <source>not answered</source>
        <translation>heb ateb</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>oedd</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nac oedd</translation>
    </message>
    <message>
        <source>Feedback question %1</source>
        <translation>Cwestiwn adborth %1</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>Sylw</translation>
    </message>
    <message>
        <source>   comment</source>
        <translation>   sylw</translation>
    </message>
    <message>
        <source>Add feedback form</source>
        <translation>Ychwanegu ffurflen adborth</translation>
    </message>
    <message>
        <source>A feedback form needs at least the agency and job role.</source>
        <translation>Mae angen o leiaf yr asiantaeth a&apos;r rôl swydd ar ffurflen adborth.</translation>
    </message>
    <message>
        <source>meeting %1</source>
        <translation>cyfarfod %1</translation>
    </message>
    <message>
        <source>event %1</source>
        <translation>digwyddiad %1</translation>
    </message>
    <message>
        <source>done %1</source>
        <translation>wedi&apos;i wneud %1</translation>
    </message>
    <message>
        <source>&lt;b&gt;Retention:&lt;/b&gt; %1</source>
        <translation>&lt;b&gt;Cadw:&lt;/b&gt; %1</translation>
    </message>
    <message>
        <source>Status of %1</source>
        <translation>Statws %1</translation>
    </message>
    <message>
        <source>Two versions: see the conflicts bar</source>
        <translation>Dau fersiwn: gweler y bar gwrthdaro</translation>
    </message>
    <message>
        <source>Status of action %1</source>
        <translation>Statws y cam gweithredu %1</translation>
    </message>
    <message>
        <source>&lt;b&gt;Papers for this event&lt;/b&gt;</source>
        <translation>&lt;b&gt;Papurau ar gyfer y digwyddiad hwn&lt;/b&gt;</translation>
    </message>
    <message>
        <source> — received</source>
        <translation> — wedi dod i law</translation>
    </message>
    <message>
        <source> — not yet received</source>
        <translation> — heb ddod i law eto</translation>
    </message>
    <message>
        <source>attendee</source>
        <translation>person</translation>
    </message>
    <message>
        <source>action</source>
        <translation>cam gweithredu</translation>
    </message>
    <message>
        <source>chronology entry</source>
        <translation>cofnod o&apos;r gronoleg</translation>
    </message>
    <message>
        <source>document</source>
        <translation>dogfen</translation>
    </message>
    <message>
        <source>feedback form</source>
        <translation>ffurflen adborth</translation>
    </message>
    <message>
        <source>Delete %1…</source>
        <translation>Dileu %1…</translation>
    </message>
    <message>
        <source>Deletes the chosen row on every device after the next sync (the Delete key does the same).</source>
        <translation>Yn dileu&apos;r rhes a ddewiswyd ar bob dyfais ar ôl y cysoni nesaf (mae&apos;r fysell Delete yn gwneud yr un peth).</translation>
    </message>
    <message>
        <source>Choose the %1 to delete in the list first.</source>
        <translation>Dewiswch y %1 i&apos;w ddileu yn y rhestr yn gyntaf.</translation>
    </message>
    <message>
        <source>Delete %1</source>
        <translation>Dileu %1</translation>
    </message>
    <message>
        <source>Delete this %1?

%2

It goes from every device at the next sync. If someone changes it on another device before seeing the delete, it comes back with their change.</source>
        <translation>Dileu&apos;r %1 hwn?

%2

Bydd yn mynd o bob dyfais yn y cysoni nesaf. Os bydd rhywun yn ei newid ar ddyfais arall cyn gweld y dileu, bydd yn dod yn ôl gyda&apos;u newid.</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Dileu</translation>
    </message>
    <message>
        <source>Keep it</source>
        <translation>Ei gadw</translation>
    </message>
    <message>
        <source>Referral and &amp;debrief</source>
        <translation>Atgyfeirio ac ôl-dra&amp;fod</translation>
    </message>
    <message>
        <source>Planning &amp;group</source>
        <translation>Grŵp cy&amp;nllunio</translation>
    </message>
    <message>
        <source>Meeting recor&amp;d</source>
        <translation>Cofnod y cyfar&amp;fod</translation>
    </message>
    <message>
        <source>&lt;b&gt;Key dates&lt;/b&gt; — type DD/MM/YYYY into a date to record it; empty it to clear it</source>
        <translation>&lt;b&gt;Dyddiadau allweddol&lt;/b&gt; — teipiwch DD/MM/BBBB mewn dyddiad i&apos;w gofnodi; gwagiwch ef i&apos;w glirio</translation>
    </message>
    <message>
        <source>Reported back to</source>
        <translation>Adroddwyd yn ôl i</translation>
    </message>
    <message>
        <source>The chosen action</source>
        <translation>Y cam gweithredu a ddewiswyd</translation>
    </message>
    <message>
        <source>Choose an action in the list.</source>
        <translation>Dewiswch gam gweithredu yn y rhestr.</translation>
    </message>
    <message>
        <source>DD/MM/YYYY</source>
        <translation>DD/MM/BBBB</translation>
    </message>
    <message>
        <source>Record reported back</source>
        <translation>Cofnodi adrodd yn ôl</translation>
    </message>
    <message>
        <source>Choose the action in the list first.</source>
        <translation>Dewiswch y cam gweithredu yn y rhestr yn gyntaf.</translation>
    </message>
    <message>
        <source>Type the date as DD/MM/YYYY, for example 11/12/2026.</source>
        <translation>Teipiwch y dyddiad fel DD/MM/BBBB, er enghraifft 11/12/2026.</translation>
    </message>
    <message>
        <source>Save the action plan form</source>
        <translation>Cadw ffurflen y cynllun gweithredu</translation>
    </message>
    <message>
        <source>Save changes to the chosen form</source>
        <translation>Cadw newidiadau i&apos;r ffurflen a ddewiswyd</translation>
    </message>
    <message>
        <source>Choose a form in the list to see it here and change it.</source>
        <translation>Dewiswch ffurflen yn y rhestr i&apos;w gweld yma a&apos;i newid.</translation>
    </message>
    <message>
        <source>Choose the form to change in the list first.</source>
        <translation>Dewiswch y ffurflen i&apos;w newid yn y rhestr yn gyntaf.</translation>
    </message>
    <message>
        <source>%1 on %2</source>
        <translation>%1 ar %2</translation>
    </message>
    <message>
        <source> — received %1</source>
        <translation> — wedi dod i law %1</translation>
    </message>
    <message>
        <source>All four papers are in.</source>
        <translation>Mae&apos;r pedwar papur wedi dod i law.</translation>
    </message>
    <message>
        <source>Still missing: add each as it arrives, choosing its kind.</source>
        <translation>Rhai ar goll o hyd: ychwanegwch bob un wrth iddo gyrraedd, gan ddewis ei fath.</translation>
    </message>
    <message>
        <source>Before and after the event</source>
        <translation>Cyn ac ar ôl y digwyddiad</translation>
    </message>
    <message>
        <source>Referral (003 §1.3, §4.2)</source>
        <translation>Atgyfeirio (003 §1.3, §4.2)</translation>
    </message>
    <message>
        <source>Referral decision</source>
        <translation>Penderfyniad atgyfeirio</translation>
    </message>
    <message>
        <source>Referred to Multi-Agency Supervision</source>
        <translation>Wedi&apos;i atgyfeirio i Oruchwyliaeth Amlasiantaethol</translation>
    </message>
    <message>
        <source>Not referred (registered more than 15 months)</source>
        <translation>Heb ei atgyfeirio (wedi&apos;i gofrestru am fwy na 15 mis)</translation>
    </message>
    <message>
        <source>Reason for referral</source>
        <translation>Rheswm dros atgyfeirio</translation>
    </message>
    <message>
        <source>(not a &apos;stuck&apos; case)</source>
        <translation>(nid achos &apos;sownd&apos;)</translation>
    </message>
    <message>
        <source>Kind of stuck case</source>
        <translation>Math o achos sownd</translation>
    </message>
    <message>
        <source>What makes the case stuck (needed for &quot;other&quot;)</source>
        <translation>Beth sy&apos;n gwneud yr achos yn sownd (angen ar gyfer &quot;arall&quot;)</translation>
    </message>
    <message>
        <source>The conference&apos;s rationale for not referring</source>
        <translation>Rhesymeg y gynhadledd dros beidio ag atgyfeirio</translation>
    </message>
    <message>
        <source>Save the referral</source>
        <translation>Cadw&apos;r atgyfeiriad</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>Penderfyniad</translation>
    </message>
    <message>
        <source>Conference that decided</source>
        <translation>Y gynhadledd a benderfynodd</translation>
    </message>
    <message>
        <source>Choose the kind of stuck case (003 §1.3), or &quot;other&quot; with the details.</source>
        <translation>Dewiswch y math o achos sownd (003 §1.3), neu &quot;arall&quot; gyda&apos;r manylion.</translation>
    </message>
    <message>
        <source>A case not referred needs the conference&apos;s rationale (003 §1.3).</source>
        <translation>Mae angen rhesymeg y gynhadledd ar achos nas atgyfeiriwyd (003 §1.3).</translation>
    </message>
    <message>
        <source>The facilitators (003 §4.8, Appendix 1)</source>
        <translation>Yr hwyluswyr (003 §4.8, Atodiad 1)</translation>
    </message>
    <message>
        <source>Agreed at the debrief</source>
        <translation>Cytunwyd yn y sesiwn ôl-drafod</translation>
    </message>
    <message>
        <source>Agency, as it names itself</source>
        <translation>Yr asiantaeth, fel y mae&apos;n ei henwi ei hun</translation>
    </message>
    <message>
        <source>Kind of agency</source>
        <translation>Math o asiantaeth</translation>
    </message>
    <message>
        <source>Representative (optional)</source>
        <translation>Cynrychiolydd (dewisol)</translation>
    </message>
    <message>
        <source>Role (optional)</source>
        <translation>Rôl (dewisol)</translation>
    </message>
    <message>
        <source>co-opted</source>
        <translation>wedi&apos;i gyfethol</translation>
    </message>
    <message>
        <source>Co-opted as required</source>
        <translation>Wedi&apos;i gyfethol yn ôl yr angen</translation>
    </message>
    <message>
        <source>Add member</source>
        <translation>Ychwanegu aelod</translation>
    </message>
    <message>
        <source>Type the agency first (for example Powys Teaching Health Board).</source>
        <translation>Teipiwch yr asiantaeth yn gyntaf (er enghraifft Bwrdd Iechyd Addysgu Powys).</translation>
    </message>
    <message>
        <source>planning group member</source>
        <translation>aelod o&apos;r grŵp cynllunio</translation>
    </message>
    <message>
        <source>Record the chosen agency&apos;s agreement</source>
        <translation>Cofnodi cytundeb yr asiantaeth a ddewiswyd</translation>
    </message>
    <message>
        <source>The chosen agency agreed the report and action plan on</source>
        <translation>Cytunodd yr asiantaeth a ddewiswyd ar yr adroddiad a&apos;r cynllun gweithredu ar</translation>
    </message>
    <message>
        <source>Choose the agency in the planning group first.</source>
        <translation>Dewiswch yr asiantaeth yn y grŵp cynllunio yn gyntaf.</translation>
    </message>
    <message>
        <source>Local Operational Group (000 §6, §9)</source>
        <translation>Grŵp Gweithredol Lleol (000 §6, §9)</translation>
    </message>
    <message>
        <source>Record the LOG&apos;s agreement</source>
        <translation>Cofnodi cytundeb y Grŵp Gweithredol Lleol</translation>
    </message>
    <message>
        <source>The Local Operational Group agreed the report and action plan on</source>
        <translation>Cytunodd y Grŵp Gweithredol Lleol ar yr adroddiad a&apos;r cynllun gweithredu ar</translation>
    </message>
    <message>
        <source>The meeting (002 §5-§9)</source>
        <translation>Y cyfarfod (002 §5-§9)</translation>
    </message>
    <message>
        <source>HH:MM</source>
        <translation>AA:MM</translation>
    </message>
    <message>
        <source>Type the time as HH:MM, 24-hour, for example 09:30.</source>
        <translation>Teipiwch yr amser fel AA:MM, 24 awr, er enghraifft 09:30.</translation>
    </message>
    <message>
        <source>Name (Agency)</source>
        <translation>Enw (Asiantaeth)</translation>
    </message>
    <message>
        <source>The member appointed (002 §8)</source>
        <translation>Yr aelod a benodwyd (002 §8)</translation>
    </message>
    <message>
        <source>not recorded</source>
        <translation>heb ei gofnodi</translation>
    </message>
    <message>
        <source>The minutes go to the family too (002 §7)</source>
        <translation>Mae&apos;r cofnodion yn mynd i&apos;r teulu hefyd (002 §7)</translation>
    </message>
    <message>
        <source>Held DD/MM/YYYY</source>
        <translation>Cynhaliwyd DD/MM/BBBB</translation>
    </message>
    <message>
        <source>Next review DD/MM/YYYY</source>
        <translation>Adolygiad nesaf DD/MM/BBBB</translation>
    </message>
    <message>
        <source>What the review found (optional)</source>
        <translation>Beth a ganfu&apos;r adolygiad (dewisol)</translation>
    </message>
    <message>
        <source>Add review</source>
        <translation>Ychwanegu adolygiad</translation>
    </message>
    <message>
        <source>Type the date of the review as DD/MM/YYYY, for example 11/12/2026.</source>
        <translation>Teipiwch ddyddiad yr adolygiad fel DD/MM/BBBB, er enghraifft 11/12/2026.</translation>
    </message>
    <message>
        <source>Type the next review&apos;s date as DD/MM/YYYY, for example 11/03/2027.</source>
        <translation>Teipiwch ddyddiad yr adolygiad nesaf fel DD/MM/BBBB, er enghraifft 11/03/2027.</translation>
    </message>
    <message>
        <source>review</source>
        <translation>adolygiad</translation>
    </message>
    <message>
        <source>Distribution of the minutes (002 §7)</source>
        <translation>Dosbarthu&apos;r cofnodion (002 §7)</translation>
    </message>
    <message>
        <source>Who the report goes to</source>
        <translation>I bwy mae&apos;r adroddiad yn mynd</translation>
    </message>
    <message>
        <source>Record as sent to the chosen recipient</source>
        <translation>Cofnodi ei anfon at y derbynnydd a ddewiswyd</translation>
    </message>
    <message>
        <source>Sent on</source>
        <translation>Anfonwyd ar</translation>
    </message>
    <message>
        <source>Choose the recipient in the list first.</source>
        <translation>Dewiswch y derbynnydd yn y rhestr yn gyntaf.</translation>
    </message>
    <message>
        <source>Recorded.</source>
        <translation>Wedi&apos;i gofnodi.</translation>
    </message>
    <message>
        <source>Not recorded yet.</source>
        <translation>Heb ei gofnodi eto.</translation>
    </message>
    <message>
        <source>The Local Authority, the Health Board and the Police are all in the group.</source>
        <translation>Mae&apos;r Awdurdod Lleol, y Bwrdd Iechyd a&apos;r Heddlu i gyd yn y grŵp.</translation>
    </message>
    <message>
        <source>%1 of %2 agencies have agreed the report and action plan.</source>
        <translation>Mae %1 o %2 asiantaeth wedi cytuno ar yr adroddiad a&apos;r cynllun gweithredu.</translation>
    </message>
    <message>
        <source>Agreed by the Local Operational Group on %1; its quarterly monitoring shows in the timescales.</source>
        <translation>Cytunwyd gan y Grŵp Gweithredol Lleol ar %1; mae ei fonitro chwarterol yn ymddangos yn yr amserlenni.</translation>
    </message>
    <message>
        <source>Not yet agreed by the Local Operational Group: every agency agrees first.</source>
        <translation>Heb ei gytuno eto gan y Grŵp Gweithredol Lleol: mae pob asiantaeth yn cytuno yn gyntaf.</translation>
    </message>
    <message>
        <source>late</source>
        <translation>hwyr</translation>
    </message>
    <message>
        <source>Before and &amp;after</source>
        <translation>Cyn ac &amp;ar ôl</translation>
    </message>
    <message>
        <source>Child</source>
        <translation>Plentyn</translation>
    </message>
    <message>
        <source>Area</source>
        <translation>Ardal</translation>
    </message>
    <message>
        <source>Convening agency</source>
        <translation>Asiantaeth sy&apos;n cynnull</translation>
    </message>
    <message>
        <source>Lead agency</source>
        <translation>Asiantaeth arweiniol</translation>
    </message>
    <message>
        <source>Venue</source>
        <translation>Lleoliad</translation>
    </message>
    <message>
        <source>Reviewers&apos; comments (for the report)</source>
        <translation>Sylwadau&apos;r adolygwyr (ar gyfer yr adroddiad)</translation>
    </message>
    <message>
        <source>Chronology header</source>
        <translation>Pennawd y gronoleg</translation>
    </message>
    <message>
        <source>Name or initials</source>
        <translation>Enw neu lythrennau blaen</translation>
    </message>
    <message>
        <source>Name, role, agency</source>
        <translation>Enw, rôl, asiantaeth</translation>
    </message>
    <message>
        <source>e.g. 2</source>
        <translation>e.e. 2</translation>
    </message>
    <message>
        <source>Save header</source>
        <translation>Cadw&apos;r pennawd</translation>
    </message>
    <message>
        <source>S&amp;ubject</source>
        <translation>Enw&apos;r &amp;unigolyn</translation>
    </message>
    <message>
        <source>T&amp;ime period covered</source>
        <translation>Y cyfnod &amp;dan sylw</translation>
    </message>
    <message>
        <source>Completed b&amp;y</source>
        <translation>Cwblhawyd &amp;gan</translation>
    </message>
    <message>
        <source>Date completed</source>
        <translation>Dyddiad cwblhau</translation>
    </message>
    <message>
        <source>Ve&amp;rsion</source>
        <translation>&amp;Fersiwn</translation>
    </message>
</context>
<context>
    <name>casepack::desktop::ConflictPanel</name>
    <message>
        <source>Conflicts</source>
        <translation>Gwrthdaro</translation>
    </message>
    <message>
        <source>&lt;b&gt;Changes that need a decision&lt;/b&gt;&lt;br&gt;Two people changed the same thing while apart. Choose the version to keep; everyone sees your choice after the next sync.</source>
        <translation>&lt;b&gt;Newidiadau sydd angen penderfyniad&lt;/b&gt;&lt;br&gt;Newidiodd dau berson yr un peth tra oedden nhw ar wahân. Dewiswch y fersiwn i&apos;w chadw; bydd pawb yn gweld eich dewis ar ôl y cysoni nesaf.</translation>
    </message>
    <message>
        <source>Nothing needs a decision.</source>
        <translation>Does dim angen penderfyniad.</translation>
    </message>
    <message>
        <source>by %1</source>
        <translation>gan %1</translation>
    </message>
    <message>
        <source>Keep this one</source>
        <translation>Cadw&apos;r un yma</translation>
    </message>
    <message>
        <source>Keep %1 for %2</source>
        <translation>Cadw %1 ar gyfer %2</translation>
    </message>
</context>
<context>
    <name>casepack::desktop::LockScreen</name>
    <message>
        <source>Your name</source>
        <translation>Eich enw</translation>
    </message>
    <message>
        <source>as colleagues should see it beside your changes</source>
        <translation>fel y dylai cydweithwyr ei weld wrth ymyl eich newidiadau</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>Cyfrinymadrodd</translation>
    </message>
    <message>
        <source>Passphrase again</source>
        <translation>Cyfrinymadrodd eto</translation>
    </message>
    <message>
        <source>Your &amp;name</source>
        <translation>Eich &amp;enw</translation>
    </message>
    <message>
        <source>&amp;Passphrase</source>
        <translation>&amp;Cyfrinymadrodd</translation>
    </message>
    <message>
        <source>Passphrase &amp;again</source>
        <translation>Cyfrinymadrodd &amp;eto</translation>
    </message>
    <message>
        <source>Passphrase strength</source>
        <translation>Cryfder y cyfrinymadrodd</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problem</translation>
    </message>
    <message>
        <source>Create your casepack store</source>
        <translation>Creu eich storfa casepack</translation>
    </message>
    <message>
        <source>casepack is locked</source>
        <translation>Mae casepack wedi&apos;i gloi</translation>
    </message>
    <message>
        <source>Case notes are kept encrypted in %1. Choose a passphrase of at least 12 characters (a few unrelated words work well). Nobody can recover it.</source>
        <translation>Caiff nodiadau achos eu cadw wedi&apos;u hamgryptio yn %1. Dewiswch gyfrinymadrodd o 12 nod o leiaf (mae ychydig o eiriau digyswllt yn gweithio&apos;n dda). All neb ei adfer.</translation>
    </message>
    <message>
        <source>Type your passphrase to open the cases. Everything typed before the lock was saved.</source>
        <translation>Teipiwch eich cyfrinymadrodd i agor yr achosion. Cadwyd popeth a deipiwyd cyn y cloi.</translation>
    </message>
    <message>
        <source>&amp;Create store</source>
        <translation>&amp;Creu storfa</translation>
    </message>
    <message>
        <source>&amp;Unlock</source>
        <translation>&amp;Datgloi</translation>
    </message>
    <message>
        <source>Create store</source>
        <translation>Creu storfa</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>Datgloi</translation>
    </message>
    <message>
        <source>Strength: type a passphrase</source>
        <translation>Cryfder: teipiwch gyfrinymadrodd</translation>
    </message>
    <message>
        <source>Strength: good ✓</source>
        <translation>Cryfder: da ✓</translation>
    </message>
    <message>
        <source>Strength: too weak — </source>
        <translation>Cryfder: rhy wan — </translation>
    </message>
    <message>
        <source>Please type your name: colleagues see it beside your changes.</source>
        <translation>Teipiwch eich enw: mae cydweithwyr yn ei weld wrth ymyl eich newidiadau.</translation>
    </message>
    <message>
        <source>The two passphrases differ. Type them again.</source>
        <translation>Mae&apos;r ddau gyfrinymadrodd yn wahanol. Teipiwch nhw eto.</translation>
    </message>
</context>
<context>
    <name>casepack::desktop::MainWindow</name>
    <message>
        <source>Conflicts</source>
        <translation>Gwrthdaro</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Yn cadw…</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>Wedi cadw %1</translation>
    </message>
    <message>
        <source>Search cases… (Ctrl+F)</source>
        <translation>Chwilio achosion… (Ctrl+F)</translation>
    </message>
    <message>
        <source>Search cases</source>
        <translation>Chwilio achosion</translation>
    </message>
    <message>
        <source>Sync status</source>
        <translation>Statws cysoni</translation>
    </message>
    <message>
        <source>&amp;Sync</source>
        <translation>C&amp;ysoni</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Cysoni nawr</translation>
    </message>
    <message>
        <source>Send and receive changes now (Ctrl+S)</source>
        <translation>Anfon a derbyn newidiadau nawr (Ctrl+S)</translation>
    </message>
    <message>
        <source>&amp;Lock</source>
        <translation>&amp;Cloi</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>Cloi</translation>
    </message>
    <message>
        <source>Lock now (Ctrl+L). Everything typed is kept.</source>
        <translation>Cloi nawr (Ctrl+L). Caiff popeth a deipiwyd ei gadw.</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Neges</translation>
    </message>
    <message>
        <source>&lt;b&gt;Cases&lt;/b&gt;</source>
        <translation>&lt;b&gt;Achosion&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Show cases</source>
        <translation>Dangos achosion</translation>
    </message>
    <message>
        <source>All open cases</source>
        <translation>Pob achos agored</translation>
    </message>
    <message>
        <source>Due within 7 days</source>
        <translation>I&apos;w wneud cyn pen 7 diwrnod</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Yn hwyr</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Yn aros</translation>
    </message>
    <message>
        <source>Closed and cancelled</source>
        <translation>Wedi cau a&apos;u canslo</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>Achosion</translation>
    </message>
    <message>
        <source>Child · area</source>
        <translation>Plentyn · ardal</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Digwyddiad</translation>
    </message>
    <message>
        <source>Next step</source>
        <translation>Cam nesaf</translation>
    </message>
    <message>
        <source>Retention</source>
        <translation>Cadw</translation>
    </message>
    <message>
        <source>&amp;New case…</source>
        <translation>Achos &amp;newydd…</translation>
    </message>
    <message>
        <source>New case</source>
        <translation>Achos newydd</translation>
    </message>
    <message>
        <source>Choose a case on the left, or make a new one (Ctrl+N).</source>
        <translation>Dewiswch achos ar y chwith, neu crëwch un newydd (Ctrl+N).</translation>
    </message>
    <message>
        <source>Conflicts needing a decision</source>
        <translation>Gwrthdaro sydd angen penderfyniad</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>Wedi cadw</translation>
    </message>
    <message>
        <source>&amp;Sync now</source>
        <translation>C&amp;ysoni nawr</translation>
    </message>
    <message>
        <source>Seal &amp;transfer pack…</source>
        <translation>Selio pecyn &amp;trosglwyddo…</translation>
    </message>
    <message>
        <source>&amp;Open transfer pack…</source>
        <translation>&amp;Agor pecyn trosglwyddo…</translation>
    </message>
    <message>
        <source>Change &amp;passphrase…</source>
        <translation>Newid y &amp;cyfrinymadrodd…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Gadael</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Gweld</translation>
    </message>
    <message>
        <source>&amp;Search cases</source>
        <translation>C&amp;hwilio achosion</translation>
    </message>
    <message>
        <source>Report &amp;preview</source>
        <translation>&amp;Rhagolwg o&apos;r adroddiad</translation>
    </message>
    <message>
        <source>&amp;Conflicts</source>
        <translation>G&amp;wrthdaro</translation>
    </message>
    <message>
        <source>Unlocking…</source>
        <translation>Yn datgloi…</translation>
    </message>
    <message>
        <source>That passphrase is not right. Try again (check Caps Lock).</source>
        <translation>Nid yw&apos;r cyfrinymadrodd hwnnw&apos;n gywir. Rhowch gynnig arall arni (gwiriwch Caps Lock).</translation>
    </message>
    <message>
        <source>Creating your store…</source>
        <translation>Yn creu eich storfa…</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Yn gwirio…</translation>
    </message>
    <message>
        <source>casepack — locked</source>
        <translation>casepack — wedi&apos;i gloi</translation>
    </message>
    <message>
        <source>casepack — 1 case</source>
        <translation>casepack — 1 achos</translation>
    </message>
    <message>
        <source>casepack — %1 cases</source>
        <translation>casepack — %1 achos</translation>
    </message>
    <message>
        <source>This laptop only · no central store set up</source>
        <translation>Y gliniadur hwn yn unig · dim storfa ganolog wedi&apos;i gosod</translation>
    </message>
    <message>
        <source>Everything is kept encrypted on this laptop. Ask the Business Unit for an invitation to share cases.</source>
        <translation>Caiff popeth ei gadw wedi&apos;i amgryptio ar y gliniadur hwn. Gofynnwch i&apos;r Uned Fusnes am wahoddiad i rannu achosion.</translation>
    </message>
    <message>
        <source>all changes sent</source>
        <translation>pob newid wedi&apos;i anfon</translation>
    </message>
    <message>
        <source>1 change not yet sent</source>
        <translation>1 newid heb ei anfon eto</translation>
    </message>
    <message>
        <source>%1 changes not yet sent</source>
        <translation>%1 newid heb eu hanfon eto</translation>
    </message>
    <message>
        <source>● Offline</source>
        <translation>● All-lein</translation>
    </message>
    <message>
        <source>Synced at %1</source>
        <translation>Wedi cysoni am %1</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Yn cysoni…</translation>
    </message>
    <message>
        <source>Sync did not finish: %1 Nothing typed is lost; try again.</source>
        <translation>Ni orffennodd y cysoni: %1 Does dim a deipiwyd wedi&apos;i golli; rhowch gynnig arall arni.</translation>
    </message>
    <message>
        <source>Not connected to a central store</source>
        <translation>Heb gysylltu â storfa ganolog</translation>
    </message>
    <message>
        <source>⚠ 1 conflict needs a decision ▸</source>
        <translation>⚠ Mae angen penderfyniad ar 1 gwrthdaro ▸</translation>
    </message>
    <message>
        <source>⚠ %1 conflicts need a decision ▸</source>
        <translation>⚠ Mae angen penderfyniad ar %1 gwrthdaro ▸</translation>
    </message>
    <message>
        <source>Preparing the report…</source>
        <translation>Yn paratoi&apos;r adroddiad…</translation>
    </message>
    <message>
        <source>Changing the passphrase…</source>
        <translation>Yn newid y cyfrinymadrodd…</translation>
    </message>
    <message>
        <source>Passphrase changed</source>
        <translation>Wedi newid y cyfrinymadrodd</translation>
    </message>
    <message>
        <source>Open the case to send first, then seal its pack.</source>
        <translation>Agorwch yr achos i&apos;w anfon yn gyntaf, yna seliwch ei becyn.</translation>
    </message>
    <message>
        <source>Seal a transfer pack</source>
        <translation>Selio pecyn trosglwyddo</translation>
    </message>
    <message>
        <source>Sent by (your agency):</source>
        <translation>Anfonwyd gan (eich asiantaeth):</translation>
    </message>
    <message>
        <source>Business Unit</source>
        <translation>Uned Fusnes</translation>
    </message>
    <message>
        <source>Save the transfer pack</source>
        <translation>Cadw&apos;r pecyn trosglwyddo</translation>
    </message>
    <message>
        <source>age files (*.age)</source>
        <translation>ffeiliau age (*.age)</translation>
    </message>
    <message>
        <source>Sealing the pack…</source>
        <translation>Yn selio&apos;r pecyn…</translation>
    </message>
    <message>
        <source>The pack was not sealed: %1</source>
        <translation>Ni seliwyd y pecyn: %1</translation>
    </message>
    <message>
        <source>The pack is saved as %1 with 1 document.</source>
        <translation>Mae&apos;r pecyn wedi&apos;i gadw fel %1 gydag 1 ddogfen.</translation>
    </message>
    <message>
        <source>The pack is saved as %1 with %2 documents.</source>
        <translation>Mae&apos;r pecyn wedi&apos;i gadw fel %1 gyda %2 dogfen.</translation>
    </message>
    <message>
        <source>Pack sealed</source>
        <translation>Pecyn wedi&apos;i selio</translation>
    </message>
    <message>
        <source>Its password, shown only now:

%1

It is on the clipboard for 30 seconds. Send it by another route than the pack (for example by phone).</source>
        <translation>Ei gyfrinair, a ddangosir nawr yn unig:

%1

Mae ar y clipfwrdd am 30 eiliad. Anfonwch ef ar hyd llwybr gwahanol i&apos;r pecyn (er enghraifft dros y ffôn).</translation>
    </message>
    <message>
        <source>Open a transfer pack</source>
        <translation>Agor pecyn trosglwyddo</translation>
    </message>
    <message>
        <source>age files (*.age);;All files (*)</source>
        <translation>ffeiliau age (*.age);;Pob ffeil (*)</translation>
    </message>
    <message>
        <source>The pack&apos;s password:</source>
        <translation>Cyfrinair y pecyn:</translation>
    </message>
    <message>
        <source>Opening the pack…</source>
        <translation>Yn agor y pecyn…</translation>
    </message>
    <message>
        <source>That password does not open this pack. Check it with whoever sent it.</source>
        <translation>Nid yw&apos;r cyfrinair hwnnw&apos;n agor y pecyn hwn. Gwiriwch ef gyda phwy bynnag a&apos;i hanfonodd.</translation>
    </message>
    <message>
        <source>The pack was not opened, and nothing was added: %1</source>
        <translation>Ni agorwyd y pecyn, ac ni ychwanegwyd dim: %1</translation>
    </message>
</context>
<context>
    <name>casepack::desktop::NewCaseDialog</name>
    <message>
        <source>New case</source>
        <translation>Achos newydd</translation>
    </message>
    <message>
        <source>Kind of event</source>
        <translation>Math o ddigwyddiad</translation>
    </message>
    <message>
        <source>Child&apos;s initials or name</source>
        <translation>Llythrennau blaen neu enw&apos;r plentyn</translation>
    </message>
    <message>
        <source>initials are best, e.g. G.A.D.</source>
        <translation>llythrennau blaen sydd orau, e.e. G.A.D.</translation>
    </message>
    <message>
        <source>Local authority area</source>
        <translation>Ardal yr awdurdod lleol</translation>
    </message>
    <message>
        <source>Lead agency</source>
        <translation>Asiantaeth arweiniol</translation>
    </message>
    <message>
        <source>Venue</source>
        <translation>Lleoliad</translation>
    </message>
    <message>
        <source>Facilitators</source>
        <translation>Hwyluswyr</translation>
    </message>
    <message>
        <source>names, separated by commas</source>
        <translation>enwau, wedi&apos;u gwahanu gan atalnodau</translation>
    </message>
    <message>
        <source>&amp;Kind of event</source>
        <translation>&amp;Math o ddigwyddiad</translation>
    </message>
    <message>
        <source>&amp;Child (initials)</source>
        <translation>&amp;Plentyn (llythrennau blaen)</translation>
    </message>
    <message>
        <source>&amp;Area</source>
        <translation>&amp;Ardal</translation>
    </message>
    <message>
        <source>&amp;Lead agency</source>
        <translation>Asiantaeth a&amp;rweiniol</translation>
    </message>
    <message>
        <source>&amp;Venue</source>
        <translation>&amp;Lleoliad</translation>
    </message>
    <message>
        <source>&amp;Facilitators</source>
        <translation>&amp;Hwyluswyr</translation>
    </message>
    <message>
        <source>&lt;b&gt;Key dates&lt;/b&gt; (DD/MM/YYYY; leave blank if not known yet)</source>
        <translation>&lt;b&gt;Dyddiadau allweddol&lt;/b&gt; (DD/MM/BBBB; gadewch yn wag os nad ydynt yn hysbys eto)</translation>
    </message>
    <message>
        <source>Create case</source>
        <translation>Creu achos</translation>
    </message>
    <message>
        <source>DD/MM/YYYY</source>
        <translation>DD/MM/BBBB</translation>
    </message>
    <message>
        <source>Type the child&apos;s initials and the area: both are needed.</source>
        <translation>Teipiwch lythrennau blaen y plentyn a&apos;r ardal: mae angen y ddau.</translation>
    </message>
    <message>
        <source>The date &quot;%1&quot; was not understood. Type it as DD/MM/YYYY.</source>
        <translation>Ni ddeallwyd y dyddiad &quot;%1&quot;. Teipiwch ef fel DD/MM/BBBB.</translation>
    </message>
    <message>
        <source>Reviewers</source>
        <translation>Adolygwyr</translation>
    </message>
    <message>
        <source>&amp;Reviewers</source>
        <translation>&amp;Adolygwyr</translation>
    </message>
</context>
<context>
    <name>casepack::desktop::PassphraseDialog</name>
    <message>
        <source>Change passphrase</source>
        <translation>Newid y cyfrinymadrodd</translation>
    </message>
    <message>
        <source>New passphrase</source>
        <translation>Cyfrinymadrodd newydd</translation>
    </message>
    <message>
        <source>New passphrase again</source>
        <translation>Cyfrinymadrodd newydd eto</translation>
    </message>
    <message>
        <source>&amp;New passphrase</source>
        <translation>Cyfrinymadrodd &amp;newydd</translation>
    </message>
    <message>
        <source>&amp;Again</source>
        <translation>&amp;Eto</translation>
    </message>
    <message>
        <source>Strength: good ✓</source>
        <translation>Cryfder: da ✓</translation>
    </message>
    <message>
        <source>Type it again below.</source>
        <translation>Teipiwch ef eto isod.</translation>
    </message>
    <message>
        <source>Too weak: %1</source>
        <translation>Rhy wan: %1</translation>
    </message>
</context>
<context>
    <name>casepack::desktop::ReportDialog</name>
    <message>
        <source>Report preview — %1</source>
        <translation>Rhagolwg o&apos;r adroddiad — %1</translation>
    </message>
    <message>
        <source>Report preview</source>
        <translation>Rhagolwg o&apos;r adroddiad</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>Adroddiad</translation>
    </message>
    <message>
        <source>Save the report</source>
        <translation>Cadw&apos;r adroddiad</translation>
    </message>
    <message>
        <source>&amp;Document:</source>
        <translation>&amp;Dogfen:</translation>
    </message>
    <message>
        <source>Document to save</source>
        <translation>Dogfen i&apos;w chadw</translation>
    </message>
    <message>
        <source>The event&apos;s report</source>
        <translation>Adroddiad y digwyddiad</translation>
    </message>
    <message>
        <source>Participants&apos; feedback (Business Unit only)</source>
        <translation>Adborth y cyfranogwyr (yr Uned Fusnes yn unig)</translation>
    </message>
    <message>
        <source>Save as &amp;PDF…</source>
        <translation>Cadw fel &amp;PDF…</translation>
    </message>
    <message>
        <source>Save as &amp;Word…</source>
        <translation>Cadw fel &amp;Word…</translation>
    </message>
    <message>
        <source>Save as &amp;HTML…</source>
        <translation>Cadw fel &amp;HTML…</translation>
    </message>
    <message>
        <source>Saving the report</source>
        <translation>Cadw&apos;r adroddiad</translation>
    </message>
    <message>
        <source>feedback</source>
        <translation>adborth</translation>
    </message>
    <message>
        <source>report</source>
        <translation>adroddiad</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Word document (*.docx)</source>
        <translation>Dogfen Word (*.docx)</translation>
    </message>
    <message>
        <source>Web page (*.html)</source>
        <translation>Tudalen we (*.html)</translation>
    </message>
    <message>
        <source>Saving %1…</source>
        <translation>Yn cadw %1…</translation>
    </message>
    <message>
        <source>Saved as %1.</source>
        <translation>Wedi&apos;i gadw fel %1.</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Heb ei gadw: %1</translation>
    </message>
</context>
</TS>
