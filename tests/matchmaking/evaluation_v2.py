"""A second labelled evaluation set for the matching engine (version 2), independent of it.

ORGANISATIONS are 93 fictional but plausible Ruhr-region organisations: steel (integrated
works, an electric steel plant, a rolling mill, a forge), cement and lime, glass, paper,
chemicals, utilities and grid operators, equipment builders, start-ups, universities and
institutes, public bodies and associations. About a third write their profile only in German,
a third only in English and a third in both. Competences are slugs of partners.taxonomy;
some organisations declare none and are described only by their text and free keywords, which
often use words that are not taxonomy labels (Drehrohrofen, Gitterbesatz, black mass).

REQUESTS are 50 cooperation requests and offers, each published by one organisation.
"judgements" maps organisation slugs to graded relevance: 3 = the partner(s) a cluster manager
would introduce first, 2 = a good partner (completes the consortium or is a clear second
choice), 1 = partially useful; every organisation not listed is 0. The owner is never judged.
The grades were written from domain knowledge alone (who has the equipment and expertise, who
has the need, who completes a consortium, what kind of partner the request asks for) before
any engine ran on the set and without looking at the engine's code or output.

Each request carries case tags (CASE_TAGS) naming what it tests:
  cross-language   every grade-3 partner writes only in the other language and shares no
                   identical word with the request apart from proper names, numbers and units
                   (cognates such as calciner / Calcinator occur, as they would in reality);
  synonym          request and ideal partner name the same thing differently (Lichtbogenofen /
                   E-Ofen, Abwärme / Rückgewinnung von Prozesswärme, condition monitoring /
                   predictive maintenance, Sauerstoffverzehrkathode / Gasdiffusionselektrode);
  compound         a German compound must be split to match (Wasserstoffdirektreduktion /
                   Direktreduktion mit Wasserstoff, Stahlknüppel / Knüppel aus Stahl,
                   Elektrolysehallen / electrolyser hall);
  distractor       organisations that share a generic word or concept with the request
                   (Wasserstoff, Speicher, Werkstoffe, Digitalisierung, Wärmepumpe, Recycling)
                   but do not fit are graded 0 or 1, e.g. an electrolyser maker for a hydrogen
                   burner retrofit or a residential heat pump installer for process steam;
  partner-kind     the request asks for one kind of partner (science, sme, industry, public,
                   association) and a topically similar organisation of another kind gets 1;
  generic-concept  the request names a broad concept (Energiespeicher, Kreislaufwirtschaft,
                   Digitalisierung, materials, hydrogen) and only one sub-field fits.

"split" divides the requests into two equal halves, "tune" for tuning the engine and
"heldout" for reporting; each tag is spread evenly over both halves.
"""

ORGANISATIONS = [
    {
        "slug": "emscher-stahl",
        "name": "Emscher Stahl AG",
        "kind": "large_enterprise",
        "size_band": "1000+",
        "sectors": ["steel"],
        "competences": ["hydrogen", "materials"],
        "keywords": "Hochofen, Oxygenstahlwerk, Direktreduktion, Warmband",
        "description_de": (
            "Integriertes Hüttenwerk in Duisburg mit zwei Hochöfen, Oxygenstahlwerk und "
            "Warmbandstraße. Bis 2030 soll ein Hochofen durch eine Direktreduktionsanlage mit "
            "nachgeschaltetem Einschmelzer ersetzt werden; dafür suchen wir Partner für "
            "Wasserstoffversorgung und Prozessmodellierung."
        ),
        "description_en": (
            "Integrated steelworks in Duisburg with two blast furnaces, a basic oxygen plant and a "
            "hot strip mill. By 2030 one blast furnace is to be replaced by a direct reduction "
            "plant with a downstream melter."
        ),
    },
    {
        "slug": "ruhrort-elektrostahl",
        "name": "Elektrostahlwerk Ruhrort GmbH",
        "kind": "large_enterprise",
        "size_band": "250-999",
        "sectors": ["steel"],
        "competences": ["circular-economy", "energy-efficiency"],
        "keywords": "E-Ofen, Stahlschrott, Betonstahl, Pfannenofen",
        "description_de": (
            "Elektrostahlwerk mit einem 140-t-Drehstrom-E-Ofen, Pfannenofen und Knüppelstrangguss; "
            "wir schmelzen ausschließlich Stahlschrott und walzen Betonstahl und Walzdraht, ein "
            "Teil der Knüppel geht an Schmieden. Schwerpunkte sind Schrottvorwärmung, "
            "Schaumschlackenführung und ein geringerer Strombedarf je Tonne."
        ),
        "description_en": "",
    },
    {
        "slug": "hattinger-walzwerk",
        "name": "Hattinger Walzwerk GmbH",
        "kind": "sme",
        "size_band": "250-999",
        "sectors": ["steel"],
        "competences": [],
        "keywords": "Stahlknüppel, Walzdraht, Stabstahl, Hubbalkenofen",
        "description_de": (
            "Walzwerk für Stabstahl und Walzdraht aus zugekauften Stahlknüppeln. Die Knüppel "
            "werden in einem erdgasbefeuerten Hubbalkenofen auf 1.150 °C erwärmt; wir prüfen eine "
            "Umstellung auf Wasserstoff oder induktive Erwärmung."
        ),
        "description_en": "",
    },
    {
        "slug": "shaftred-engineering",
        "name": "ShaftRed Engineering GmbH",
        "kind": "sme",
        "size_band": "50-249",
        "sectors": ["mechanical-engineering", "steel"],
        "competences": ["hydrogen"],
        "keywords": "shaft furnace, sponge iron, reducing gas heater, pilot reactor",
        "description_de": "",
        "description_en": (
            "Engineering company designing shaft furnaces for the direct reduction of iron ore "
            "pellets with hydrogen-rich reducing gas. We supply process design and gas heaters and "
            "run a 50 kg/h pilot reactor producing sponge iron."
        ),
    },
    {
        "slug": "ifm-ruhr",
        "name": "Institute for Ferrous Metallurgy Ruhr",
        "kind": "research_institute",
        "size_band": "50-249",
        "sectors": ["research-education", "steel"],
        "competences": ["materials", "digital-twins"],
        "keywords": "slag metallurgy, arc furnace modelling, inclusions",
        "description_de": "",
        "description_en": (
            "Research institute for ferrous metallurgy. We model electric arc furnace operation "
            "(foaming slag, energy input, scrap melting), run a 2 t pilot arc furnace and analyse "
            "slags and non-metallic inclusions."
        ),
    },
    {
        "slug": "materialpruefung-bochum",
        "name": "Materialprüfanstalt Bochum GmbH",
        "kind": "sme",
        "size_band": "10-49",
        "sectors": ["consulting-services"],
        "competences": ["materials"],
        "keywords": "Zugversuch, Metallografie, Härteprüfung, Schadensanalyse",
        "description_de": (
            "Akkreditiertes Prüflabor für Werkstoffe: Zug- und Kerbschlagversuche, Härteprüfung, "
            "Metallografie und Schadensanalysen an Bauteilen aus Stahl, Aluminium und Kunststoff."
        ),
        "description_en": (
            "Accredited materials testing laboratory: tensile and impact tests, hardness testing, "
            "metallography and failure analysis of steel, aluminium and plastic components."
        ),
    },
    {
        "slug": "slagcycle-duisburg",
        "name": "SlagCycle Duisburg GmbH",
        "kind": "sme",
        "size_band": "50-249",
        "sectors": ["steel", "cement-lime"],
        "competences": ["circular-economy"],
        "keywords": "Hüttensand, LD-Schlacke, Gesteinskörnung",
        "description_de": (
            "Aufbereitung von Hochofen- und Stahlwerksschlacken zu Gesteinskörnungen, Düngemitteln "
            "und Hüttensand für die Zementindustrie."
        ),
        "description_en": (
            "Processing of blast furnace and steelmaking slags into aggregates, fertilisers and "
            "granulated slag for cement plants."
        ),
    },
    {
        "slug": "refratech-essen",
        "name": "Refratech Essen GmbH",
        "kind": "sme",
        "size_band": "50-249",
        "sectors": ["mechanical-engineering"],
        "competences": ["materials"],
        "keywords": "refractory lining, ladle, kiln, gunning mix",
        "description_de": "",
        "description_en": (
            "Refractory manufacturer and installer: linings for ladles, arc furnaces, rotary kilns "
            "and glass furnace regenerators, including alumina bricks resistant to hydrogen-rich "
            "atmospheres."
        ),
    },
    {
        "slug": "zementwerk-beckum",
        "name": "Zementwerk Beckum GmbH & Co. KG",
        "kind": "large_enterprise",
        "size_band": "250-999",
        "sectors": ["cement-lime"],
        "competences": ["ccus"],
        "keywords": "Drehrohrofen, Klinker, Ersatzbrennstoffe, Calcinator",
        "description_de": (
            "Zementwerk mit einem Drehrohrofen (4.000 t Klinker pro Tag), Zyklonvorwärmer und "
            "Calcinator. Wir setzen zu 70 % Ersatzbrennstoffe ein und planen eine Pilotanlage zur "
            "Abscheidung des prozessbedingten CO₂."
        ),
        "description_en": "",
    },
    {
        "slug": "kalkwerk-wuelfrath",
        "name": "Kalkwerke Wülfrath-Ruhr AG",
        "kind": "large_enterprise",
        "size_band": "250-999",
        "sectors": ["cement-lime"],
        "competences": ["ccus", "process-heat"],
        "keywords": "Schachtofen, Branntkalk, Kalkstein",
        "description_de": (
            "Kalksteinbruch und Kalkwerk mit sechs Gleichstrom-Gegenstrom-Regenerativ-Schachtöfen; "
            "den Branntkalk nehmen Stahl- und Chemieindustrie ab. Rund zwei Drittel unserer "
            "CO₂-Emissionen stammen aus dem Kalkstein selbst, nicht aus dem Brennstoff."
        ),
        "description_en": (
            "Limestone quarry and lime plant with six parallel-flow regenerative shaft kilns "
            "supplying quicklime to steel and chemical customers. About two thirds of our CO₂ "
            "emissions come from the limestone itself, not from the fuel."
        ),
    },
    {
        "slug": "footprint-analytics",
        "name": "Footprint Analytics GmbH",
        "kind": "sme",
        "size_band": "10-49",
        "sectors": ["consulting-services"],
        "competences": ["circular-economy"],
        "keywords": "LCA, EPD, ISO 14040, product carbon footprint",
        "description_de": "",
        "description_en": (
            "Consultancy for life-cycle assessment according to ISO 14040/44: environmental "
            "product declarations, product carbon footprints and scenario comparisons for building "
            "materials, metals and chemicals."
        ),
    },
    {
        "slug": "capturetec",
        "name": "CaptureTec GmbH",
        "kind": "startup",
        "size_band": "10-49",
        "sectors": ["mechanical-engineering"],
        "competences": ["ccus"],
        "keywords": "amine scrubbing, post-combustion, pilot unit, flue gas",
        "description_de": "",
        "description_en": (
            "Start-up building containerised amine scrubbing units for post-combustion carbon "
            "capture. Our mobile pilot unit treats 500 m³/h of flue gas and can be set up at a "
            "kiln or boiler stack within two weeks."
        ),
    },
    {
        "slug": "uel-energieanlagen",
        "name": "Universität Emscher-Lippe, Lehrstuhl Energieanlagen",
        "kind": "university",
        "size_band": "1000+",
        "sectors": ["research-education"],
        "competences": ["ccus", "process-heat"],
        "keywords": "Oxyfuel, Calcium-Looping, Wirbelschicht, Vergasung",
        "description_de": (
            "Lehrstuhl für Energieanlagen: Oxyfuel-Verbrennung, Calcium-Looping und "
            "Wirbelschichtvergasung von Reststoffen an einer 1-MW-Versuchsanlage."
        ),
        "description_en": (
            "Chair of energy plant technology: oxyfuel combustion, calcium looping and "
            "fluidised-bed gasification of residues on a 1 MW test rig."
        ),
    },
    {
        "slug": "ebs-aufbereitung",
        "name": "EBS Aufbereitung Lünen GmbH",
        "kind": "sme",
        "size_band": "50-249",
        "sectors": ["consulting-services"],
        "competences": ["circular-economy"],
        "keywords": "Ersatzbrennstoffe, SBS, Heizwert, Gewerbeabfall",
        "description_de": (
            "Herstellung qualitätsgesicherter Ersatzbrennstoffe aus Gewerbe- und Sortierabfällen "
            "mit definiertem Heizwert und Chlorgehalt für Zement- und Kalkwerke sowie Kraftwerke."
        ),
        "description_en": "",
    },
    {
        "slug": "glashuette-gelsenkirchen",
        "name": "Glashütte Gelsenkirchen GmbH",
        "kind": "large_enterprise",
        "size_band": "250-999",
        "sectors": ["glass"],
        "competences": [],
        "keywords": "Glaswanne, Behälterglas, U-Flammenwanne, Regenerator",
        "description_de": (
            "Behälterglashütte mit drei erdgasbeheizten U-Flammenwannen und einer Tagesleistung "
            "von 900 t Glas für Flaschen und Konservengläser."
        ),
        "description_en": "",
    },
    {
        "slug": "ruhr-tubeglass",
        "name": "Ruhr Tube Glass GmbH",
        "kind": "sme",
        "size_band": "50-249",
        "sectors": ["glass"],
        "competences": ["process-heat"],
        "keywords": "borosilicate tubing, oxy-fuel, electric boosting",
        "description_de": "",
        "description_en": (
            "Manufacturer of borosilicate glass tubing for pharmaceutical packaging, melting in an "
            "oxy-fuel furnace with electric boosting."
        ),
    },
    {
        "slug": "combustion-institute-essen",
        "name": "Essen Institute for Combustion and Heat Technology",
        "kind": "research_institute",
        "size_band": "50-249",
        "sectors": ["research-education"],
        "competences": ["hydrogen-burners", "process-heat"],
        "keywords": "flame radiation, NOx, test furnace, thermal processes",
        "description_de": "",
        "description_en": (
            "Applied combustion research with a semi-industrial test furnace of 1 MW firing "
            "capacity: flame radiation and NOx measurements and the conversion of industrial "
            "burners to hydrogen and hydrogen-natural-gas blends. We also study how "
            "water-vapour-rich flue gas affects glass and steel products."
        ),
    },
    {
        "slug": "brennertechnik-muelheim",
        "name": "Brennertechnik Mülheim GmbH",
        "kind": "sme",
        "size_band": "50-249",
        "sectors": ["mechanical-engineering"],
        "competences": ["hydrogen-burners"],
        "keywords": "Regenerativbrenner, Brennerumrüstung, Flammenüberwachung",
        "description_de": (
            "Hersteller von Industriebrennern für Wärmebehandlungs-, Schmiede- und Glasöfen. Wir "
            "rüsten bestehende Erdgasbrenner auf H2-Betrieb um, einschließlich Flammenüberwachung "
            "und Gasregelstrecke."
        ),
        "description_en": "",
    },
    {
        "slug": "herne-elektrolyse",
        "name": "Herne Elektrolyse Systems GmbH",
        "kind": "sme",
        "size_band": "250-999",
        "sectors": ["electrical-engineering", "mechanical-engineering"],
        "competences": ["electrolysis", "hydrogen"],
        "keywords": "PEM-Stack, Elektrolyseur, MW-Klasse",
        "description_de": (
            "Fertigung von PEM-Elektrolyseuren im Megawattbereich: Stacks, Balance of Plant und "
            "Service aus einer Hand."
        ),
        "description_en": (
            "Manufacturer of megawatt-scale PEM electrolysers: stacks, balance of plant and "
            "service."
        ),
    },
    {
        "slug": "scherben-dorsten",
        "name": "Scherbenaufbereitung Dorsten GmbH",
        "kind": "sme",
        "size_band": "10-49",
        "sectors": ["glass"],
        "competences": ["circular-economy"],
        "keywords": "Altglas, Glasscherben, Farbsortierung, KSP",
        "description_de": (
            "Aufbereitung von Altglas zu ofenfertigen Scherben: Fremdstoffabscheidung, "
            "Aussortieren von Keramik, Steinen und Porzellan sowie Farbsortierung mit Kameras."
        ),
        "description_en": "",
    },
    {
        "slug": "chempark-marl",
        "name": "Chemiepark Marl Betreiber GmbH",
        "kind": "large_enterprise",
        "size_band": "1000+",
        "sectors": ["chemicals"],
        "competences": ["process-heat", "sector-coupling"],
        "keywords": "Dampfnetz, Standortbetreiber, Chlor-Alkali, Infrastruktur",
        "description_de": (
            "Betreiber eines Chemiestandorts mit 100 Firmen: Dampf-, Strom- und Gasnetze, "
            "Abwasserreinigung, Rohrbrücken und eine Chlor-Alkali-Elektrolyse für die "
            "Standortkunden. Der Standort braucht jährlich 6 TWh Dampf, bisher aus Erdgas-KWK."
        ),
        "description_en": (
            "Operator of a chemical site hosting 100 companies: steam, power and gas networks, "
            "wastewater treatment, pipe racks and a chlor-alkali plant for site customers. The "
            "site consumes 6 TWh of steam a year, so far from gas-fired CHP."
        ),
    },
    {
        "slug": "carbosyn",
        "name": "CarboSyn GmbH",
        "kind": "startup",
        "size_band": "10-49",
        "sectors": ["chemicals"],
        "competences": ["synthetic-fuels", "ccus"],
        "keywords": "methanol synthesis, copper catalyst, containerised plant",
        "description_de": "",
        "description_en": (
            "Start-up converting captured CO₂ and hydrogen into methanol in containerised plants "
            "of 1 t/day with a proprietary copper-zinc catalyst."
        ),
    },
    {
        "slug": "katalyse-institut-muelheim",
        "name": "Institut für Katalyseforschung Mülheim",
        "kind": "research_institute",
        "size_band": "250-999",
        "sectors": ["research-education", "chemicals"],
        "competences": ["synthetic-fuels", "electrolysis"],
        "keywords": "Ammoniakspaltung, Katalysatoren, Elektrokatalyse",
        "description_de": (
            "Grundlagen- und anwendungsnahe Katalyseforschung: Katalysatoren für die "
            "Ammoniakspaltung und die Methanolsynthese sowie iridiumarme Anoden für die "
            "Wasserelektrolyse, mit Hochdurchsatz-Teststand und Langzeitprüfständen."
        ),
        "description_en": "",
    },
    {
        "slug": "heatlift-industrial",
        "name": "HeatLift Industrial GmbH",
        "kind": "sme",
        "size_band": "50-249",
        "sectors": ["mechanical-engineering"],
        "competences": ["process-heat", "energy-efficiency"],
        "keywords": "high-temperature heat pump, steam generation, MVR",
        "description_de": "",
        "description_en": (
            "Builds industrial high-temperature heat pumps that deliver process steam up to 200 °C "
            "from waste heat between 40 and 90 °C, plus mechanical vapour recompression units."
        ),
    },
    {
        "slug": "heizungsbau-kowalski",
        "name": "Heizungsbau Kowalski",
        "kind": "sme",
        "size_band": "1-9",
        "sectors": ["consulting-services"],
        "competences": ["process-heat"],
        "keywords": "Luft-Wasser-Wärmepumpe, Einfamilienhaus, Heizungstausch",
        "description_de": (
            "Handwerksbetrieb für den Heizungstausch im Wohngebäude: Planung und Einbau von "
            "Luft-Wasser-Wärmepumpen in Ein- und Zweifamilienhäusern, inklusive Förderantrag."
        ),
        "description_en": "",
    },
    {
        "slug": "rauchgas-waermetechnik",
        "name": "Rauchgas-Wärmetechnik Witten GmbH",
        "kind": "sme",
        "size_band": "10-49",
        "sectors": ["mechanical-engineering"],
        "competences": [],
        "keywords": "Prozesswärmerückgewinnung, Economiser, ORC, Thermalöl",
        "description_de": (
            "Planung und Bau von Anlagen zur Rückgewinnung von Prozesswärme aus heißen Rauchgasen "
            "von Öfen und Kesseln: Economiser, Thermalöl-Wärmeübertrager und ORC-Module zur "
            "Verstromung."
        ),
        "description_en": "",
    },
    {
        "slug": "ruhr-thermal-storage",
        "name": "Ruhr Thermal Storage GmbH",
        "kind": "startup",
        "size_band": "10-49",
        "sectors": ["energy-supply"],
        "competences": ["thermal-storage", "process-heat"],
        "keywords": "concrete storage, molten salt, superheated steam",
        "description_de": "",
        "description_en": (
            "Start-up developing concrete-block thermal storage charged with surplus wind and "
            "solar power, discharging superheated steam at up to 400 °C for industrial processes."
        ),
    },
    {
        "slug": "pyrocycle",
        "name": "PyroCycle Gladbeck GmbH",
        "kind": "startup",
        "size_band": "10-49",
        "sectors": ["chemicals"],
        "competences": ["circular-economy"],
        "keywords": "Pyrolyseöl, Mischkunststoffe, Steamcracker",
        "description_de": (
            "Chemisches Recycling gemischter Kunststoffabfälle per Pyrolyse zu einem Öl, das "
            "Steamcracker als Rohstoff einsetzen."
        ),
        "description_en": (
            "Chemical recycling of mixed plastic waste by pyrolysis into an oil that steam "
            "crackers use as feedstock."
        ),
    },
    {
        "slug": "ebv-emscher",
        "name": "Entsorgungsbetriebe Emscher",
        "kind": "public_body",
        "size_band": "1000+",
        "sectors": ["public-sector"],
        "competences": ["circular-economy"],
        "keywords": "Müllabfuhr, Wertstoffhof, Müllheizkraftwerk, Gelbe Tonne",
        "description_de": (
            "Kommunaler Entsorger für vier Städte: Abfuhr von Haus- und Sperrmüll, Wertstoffhöfe, "
            "Straßenreinigung und ein Müllheizkraftwerk mit Fernwärmeauskopplung."
        ),
        "description_en": "",
    },
    {
        "slug": "stadtwerke-emschertal",
        "name": "Stadtwerke Emschertal AG",
        "kind": "large_enterprise",
        "size_band": "1000+",
        "sectors": ["energy-supply"],
        "competences": ["grid-integration", "sector-coupling"],
        "keywords": "Fernwärme, KWK, Verteilnetz",
        "description_de": (
            "Kommunaler Energieversorger mit Strom- und Gasverteilnetz, 600 km Fernwärmenetz und "
            "zwei Gas-KWK-Anlagen. Für die Dekarbonisierung der Fernwärme suchen wir Wärmequellen "
            "aus der Industrie."
        ),
        "description_en": "",
    },
    {
        "slug": "netz-westfalen-ruhr",
        "name": "Netzgesellschaft Westfalen-Ruhr mbH",
        "kind": "large_enterprise",
        "size_band": "1000+",
        "sectors": ["energy-supply", "electrical-engineering"],
        "competences": ["grid-integration"],
        "keywords": "Netzanschluss, 110 kV, Umspannwerk",
        "description_de": (
            "Verteilnetzbetreiber für Hoch- und Mittelspannung im östlichen Ruhrgebiet; wir planen "
            "Netzanschlüsse für Elektrolyseure, Elektroöfen und Großwärmepumpen."
        ),
        "description_en": (
            "Distribution system operator for high and medium voltage in the eastern Ruhr; we plan "
            "grid connections for electrolysers, electric furnaces and large heat pumps."
        ),
    },
    {
        "slug": "h2-leitungsnetz",
        "name": "H2 Leitungsnetz Rhein-Ruhr GmbH",
        "kind": "large_enterprise",
        "size_band": "250-999",
        "sectors": ["energy-supply"],
        "competences": ["hydrogen-infrastructure"],
        "keywords": "pipeline conversion, transmission, compressor station",
        "description_de": "",
        "description_en": (
            "Converts existing natural gas transmission pipelines to hydrogen and builds new ones; "
            "by the end of the decade our network will connect steel and chemical sites between "
            "Duisburg and Marl."
        ),
    },
    {
        "slug": "h2-mobil-ruhr",
        "name": "H2 Mobil Ruhr GmbH",
        "kind": "sme",
        "size_band": "10-49",
        "sectors": ["energy-supply", "automotive"],
        "competences": ["hydrogen-infrastructure"],
        "keywords": "Wasserstofftankstelle, 700 bar, Busdepot",
        "description_de": (
            "Errichtung und Betrieb von Wasserstofftankstellen für Linienbusse und Lkw mit 350- "
            "und 700-bar-Zapfsäulen, einschließlich Verdichter und Speicher."
        ),
        "description_en": "",
    },
    {
        "slug": "sunfield-projects",
        "name": "Sunfield Projects GmbH",
        "kind": "sme",
        "size_band": "10-49",
        "sectors": ["energy-supply"],
        "competences": [],
        "keywords": "solar park, PPA, project development, agri-PV",
        "description_de": "",
        "description_en": (
            "Develops ground-mounted solar parks and sells the power to industrial customers "
            "through long-term power purchase agreements."
        ),
    },
    {
        "slug": "energieberatung-nowak",
        "name": "Energieberatung Nowak",
        "kind": "sme",
        "size_band": "1-9",
        "sectors": ["consulting-services"],
        "competences": ["energy-efficiency"],
        "keywords": "Energieaudit, DIN EN 16247, ISO 50001, Druckluft",
        "description_de": (
            "Ingenieurbüro für Energieaudits nach DIN EN 16247 und den Aufbau von "
            "Energiemanagementsystemen nach ISO 50001 in kleinen und mittleren Unternehmen, mit "
            "Schwerpunkt Druckluft, Antriebe und Beleuchtung."
        ),
        "description_en": "",
    },
    {
        "slug": "energieagentur-ruhr",
        "name": "Energieagentur Metropole Ruhr",
        "kind": "public_body",
        "size_band": "50-249",
        "sectors": ["public-sector", "consulting-services"],
        "competences": [],
        "keywords": "Förderberatung, Netzwerke, Klimaschutz",
        "description_de": (
            "Landeseigene Agentur, die Unternehmen und Kommunen zu Förderprogrammen für "
            "Klimaschutz und Energieeffizienz berät und Unternehmensnetzwerke moderiert."
        ),
        "description_en": (
            "State-owned agency advising companies and municipalities on funding programmes for "
            "climate protection and energy efficiency and moderating company networks."
        ),
    },
    {
        "slug": "hv-lab-wtu",
        "name": "High-Voltage Laboratory, Westfalen Technical University",
        "kind": "university",
        "size_band": "1000+",
        "sectors": ["research-education"],
        "competences": ["insulation-testing", "high-voltage-engineering"],
        "keywords": "partial discharge, impulse voltage, cable testing, HVDC",
        "description_de": "",
        "description_en": (
            "University high-voltage laboratory with a 2 MV impulse generator and a shielded hall "
            "for partial discharge measurements on cables, bushings, transformers and HVDC "
            "components."
        ),
    },
    {
        "slug": "umrichterbau-unna",
        "name": "Umrichterbau Unna GmbH",
        "kind": "sme",
        "size_band": "50-249",
        "sectors": ["electrical-engineering"],
        "competences": ["power-electronics"],
        "keywords": "Gleichrichter, Thyristor, IGBT, Mittelspannung",
        "description_de": (
            "Entwicklung und Fertigung von Mittelspannungs-Gleichrichtern und IGBT-Umrichtern bis "
            "20 MW für Elektrolyseure, Lichtbogenöfen und Galvanikanlagen, auch als Anlagen zur "
            "Flickerkompensation."
        ),
        "description_en": (
            "Develops and builds medium-voltage rectifiers and IGBT converters up to 20 MW for "
            "electrolysers, arc furnaces and electroplating lines, including flicker compensators."
        ),
    },
    {
        "slug": "elektro-schulte",
        "name": "Elektro Schulte GmbH",
        "kind": "sme",
        "size_band": "10-49",
        "sectors": ["electrical-engineering"],
        "competences": [],
        "keywords": "Elektroinstallation, Photovoltaik, Wallbox",
        "description_de": (
            "Elektroinstallationsbetrieb für Wohn- und Gewerbebauten: Hausinstallation, "
            "Photovoltaikanlagen auf Dächern und Wallboxen."
        ),
        "description_en": "",
    },
    {
        "slug": "trafo-service-herten",
        "name": "Trafo-Service Herten GmbH",
        "kind": "sme",
        "size_band": "50-249",
        "sectors": ["electrical-engineering"],
        "competences": ["insulation-testing", "sensors-rfid"],
        "keywords": "Transformator, Ölanalyse, Teilentladung vor Ort",
        "description_de": (
            "Wartung und Zustandsdiagnose von Leistungstransformatoren: Öl- und "
            "Gas-in-Öl-Analysen, Teilentladungsmessungen vor Ort und Online-Monitoring."
        ),
        "description_en": (
            "Maintenance and condition assessment of power transformers: oil and dissolved-gas "
            "analysis, on-site partial discharge measurements and online monitoring."
        ),
    },
    {
        "slug": "cell-lab-wtu",
        "name": "Battery Cell Lab, Westfalen Technical University",
        "kind": "university",
        "size_band": "1000+",
        "sectors": ["research-education"],
        "competences": ["battery-cells"],
        "keywords": "pouch cells, sodium-ion, dry electrode coating",
        "description_de": "",
        "description_en": (
            "University battery research group with a dry room and a pilot line for pouch cells up "
            "to 10 Ah, working on sodium-ion chemistry and solvent-free electrode coating."
        ),
    },
    {
        "slug": "hv-pack-systeme",
        "name": "HV Pack Systeme GmbH",
        "kind": "sme",
        "size_band": "50-249",
        "sectors": ["automotive", "electrical-engineering"],
        "competences": ["high-voltage-storage"],
        "keywords": "Batteriepack, BMS, 800 V, Nutzfahrzeug",
        "description_de": (
            "Entwicklung und Kleinserienfertigung von 800-V-Batteriepacks mit eigenem "
            "Batteriemanagementsystem für Baumaschinen und Nutzfahrzeuge."
        ),
        "description_en": "",
    },
    {
        "slug": "blackmass-recycling",
        "name": "BlackMass Recycling GmbH",
        "kind": "startup",
        "size_band": "10-49",
        "sectors": ["chemicals"],
        "competences": ["circular-economy", "battery-cells"],
        "keywords": "black mass, hydrometallurgy, leaching",
        "description_de": "",
        "description_en": (
            "Start-up recovering lithium, nickel and cobalt from shredded end-of-life batteries "
            "(black mass) by hydrometallurgical leaching."
        ),
    },
    {
        "slug": "thermosysteme-bochum",
        "name": "Thermosysteme Bochum AG",
        "kind": "large_enterprise",
        "size_band": "1000+",
        "sectors": ["automotive"],
        "competences": ["battery-storage"],
        "keywords": "Thermomanagement, Kühlplatten, Kältemittel",
        "description_de": (
            "Automobilzulieferer für Thermomanagement: Kühlplatten für Batteriesysteme, "
            "Wärmepumpenmodule und Kältemittelkreisläufe für Elektrofahrzeuge."
        ),
        "description_en": (
            "Automotive supplier of thermal management: battery cooling plates, heat pump modules "
            "and refrigerant circuits for electric vehicles."
        ),
    },
    {
        "slug": "gridbox-storage",
        "name": "GridBox Storage GmbH",
        "kind": "sme",
        "size_band": "10-49",
        "sectors": ["energy-supply", "electrical-engineering"],
        "competences": ["battery-storage", "grid-integration"],
        "keywords": "BESS, Lastspitzenkappung, Regelleistung, Container",
        "description_de": (
            "Planung und Betrieb containerisierter Batteriespeicher von 1 bis 50 MWh an "
            "Industriestandorten für Lastspitzenkappung, Blindleistung und Regelleistung."
        ),
        "description_en": (
            "Designs and operates containerised battery storage from 1 to 50 MWh at industrial "
            "sites for peak shaving, reactive power and balancing services."
        ),
    },
    {
        "slug": "vibrasense-ai",
        "name": "VibraSense AI GmbH",
        "kind": "startup",
        "size_band": "10-49",
        "sectors": ["it-software"],
        "competences": ["ai-data", "sensors-rfid"],
        "keywords": "predictive maintenance, vibration analysis, anomaly detection",
        "description_de": "",
        "description_en": (
            "Start-up offering predictive maintenance for pumps, fans and gearboxes: wireless "
            "vibration sensors and machine learning models that detect bearing damage weeks in "
            "advance."
        ),
    },
    {
        "slug": "prozesssim-dortmund",
        "name": "ProzessSim Dortmund GmbH",
        "kind": "sme",
        "size_band": "50-249",
        "sectors": ["it-software"],
        "competences": ["digital-twins"],
        "keywords": "dynamische Simulation, Verfahrenstechnik, Bedienerschulung",
        "description_de": (
            "Software und Dienstleistungen für digitale Zwillinge verfahrenstechnischer Anlagen: "
            "dynamische Prozessmodelle für Inbetriebnahme, Schulung des Bedienpersonals und "
            "Betriebsoptimierung."
        ),
        "description_en": "",
    },
    {
        "slug": "systemhaus-ruhr",
        "name": "Systemhaus Ruhr GmbH",
        "kind": "sme",
        "size_band": "50-249",
        "sectors": ["it-software"],
        "competences": [],
        "keywords": "ERP, Cloud, Digitalisierung, IT-Sicherheit",
        "description_de": (
            "IT-Systemhaus für den Mittelstand: ERP-Einführung, Cloud-Migration, Betreuung von "
            "Arbeitsplatzrechnern und Digitalisierung von Büroprozessen."
        ),
        "description_en": (
            "IT service provider for medium-sized companies: ERP roll-outs, cloud migration, "
            "desktop support and digitalisation of office processes."
        ),
    },
    {
        "slug": "heattag-systems",
        "name": "HeatTag Systems GmbH",
        "kind": "sme",
        "size_band": "10-49",
        "sectors": ["electrical-engineering"],
        "competences": ["sensors-rfid"],
        "keywords": "high-temperature RFID, ladle tracking, coil tracking",
        "description_de": "",
        "description_en": (
            "Develops RFID transponders that survive up to 1,000 °C for tracking ladles, coils and "
            "moulds in steelworks and foundries."
        ),
    },
    {
        "slug": "libs-sort",
        "name": "LIBS Sort GmbH",
        "kind": "startup",
        "size_band": "10-49",
        "sectors": ["mechanical-engineering", "steel"],
        "competences": ["sensors-rfid", "circular-economy"],
        "keywords": "Laserspektroskopie, Legierungssortierung, Schrott",
        "description_de": (
            "Start-up für sensorgestützte Schrottsortierung: Laserspektroskopie erkennt die "
            "Legierung jedes Schrottstücks auf dem Förderband, sodass Kupfer- und Zinnträger vor "
            "dem Einschmelzen ausgeschleust werden."
        ),
        "description_en": "",
    },
    {
        "slug": "institut-datenraeume",
        "name": "Institut für industrielle Datenräume",
        "kind": "research_institute",
        "size_band": "250-999",
        "sectors": ["research-education", "it-software"],
        "competences": ["ai-data"],
        "keywords": "Datenräume, Datensouveränität, digitaler Produktpass",
        "description_de": (
            "Forschungsinstitut für den sicheren, souveränen Datenaustausch zwischen Unternehmen: "
            "Datenraum-Konnektoren, Nutzungsrichtlinien und digitale Produktpässe."
        ),
        "description_en": (
            "Research institute for secure, sovereign data exchange between companies: data space "
            "connectors, usage policies and digital product passports."
        ),
    },
    {
        "slug": "hs-emscher-vision",
        "name": "Hochschule Emscher-Lippe, Labor für Bildverarbeitung",
        "kind": "university_applied",
        "size_band": "250-999",
        "sectors": ["research-education"],
        "competences": ["ai-data"],
        "keywords": "Bildverarbeitung, Oberflächeninspektion, neuronale Netze",
        "description_de": (
            "Hochschullabor für industrielle Bildverarbeitung: Kamerasysteme und lernende "
            "Verfahren mit neuronalen Netzen zur Oberflächeninspektion von Blechen, Glas und "
            "Gussteilen."
        ),
        "description_en": "",
    },
    {
        "slug": "ot-secure",
        "name": "OT Secure GmbH",
        "kind": "sme",
        "size_band": "10-49",
        "sectors": ["it-software"],
        "competences": [],
        "keywords": "OT-Sicherheit, IEC 62443, Netzsegmentierung",
        "description_de": (
            "Sicherheit für industrielle Steuerungssysteme: Bewertungen nach IEC 62443, "
            "Netzsegmentierung und Überwachung von Anlagennetzen."
        ),
        "description_en": (
            "Security for industrial control systems: IEC 62443 assessments, network segmentation "
            "and monitoring of plant networks."
        ),
    },
    {
        "slug": "gassensorik-dortmund",
        "name": "Gassensorik Dortmund GmbH",
        "kind": "sme",
        "size_band": "50-249",
        "sectors": ["electrical-engineering"],
        "competences": ["sensors-rfid", "hydrogen"],
        "keywords": "H2-Lecksuche, Gaswarnanlage, Explosionsschutz",
        "description_de": (
            "Hersteller von Gassensoren und Gaswarnanlagen, darunter H2-Leckdetektoren für "
            "Elektrolysehallen, Tankstellen und Brennstoffzellenfahrzeuge."
        ),
        "description_en": "",
    },
    {
        "slug": "uel-elektrochemie",
        "name": "Universität Emscher-Lippe, Lehrstuhl Elektrochemische Verfahrenstechnik",
        "kind": "university",
        "size_band": "1000+",
        "sectors": ["research-education"],
        "competences": ["electrolysis", "ccus"],
        "keywords": "Gasdiffusionselektrode, Chlor-Alkali, CO2-Elektrolyse",
        "description_de": (
            "Lehrstuhl für elektrochemische Verfahrenstechnik: Gasdiffusionselektroden, "
            "Chlor-Alkali-Elektrolyse und die elektrochemische Reduktion von CO₂ zu Kohlenmonoxid "
            "und Ethylen."
        ),
        "description_en": (
            "Chair of electrochemical process engineering: gas diffusion electrodes, chlor-alkali "
            "electrolysis and the electrochemical reduction of CO₂ to carbon monoxide and "
            "ethylene."
        ),
    },
    {
        "slug": "uel-werkstofftechnik",
        "name": "Universität Emscher-Lippe, Lehrstuhl Werkstofftechnik",
        "kind": "university",
        "size_band": "1000+",
        "sectors": ["research-education"],
        "competences": ["materials"],
        "keywords": "Hochtemperaturlegierungen, Beschichtungen, Kriechversuche",
        "description_de": (
            "Lehrstuhl für Werkstofftechnik: Hochtemperaturlegierungen, thermisch gespritzte "
            "Schutzschichten und Kriechversuche an Nickelbasiswerkstoffen für Turbinen und "
            "Industrieöfen."
        ),
        "description_en": (
            "Chair of materials engineering: high-temperature alloys, thermally sprayed coatings "
            "and creep testing of nickel-based alloys for turbines and industrial furnaces."
        ),
    },
    {
        "slug": "hs-ruhrmitte-energie",
        "name": "Hochschule Ruhr-Mitte, Institut für Energiesysteme",
        "kind": "university_applied",
        "size_band": "250-999",
        "sectors": ["research-education"],
        "competences": ["process-heat", "energy-efficiency", "thermal-storage"],
        "keywords": "Wärmepumpenprüfstand, Abwärme, Pinch-Analyse",
        "description_de": (
            "Institut einer Fachhochschule mit Prüfstand für Großwärmepumpen; wir erstellen "
            "Pinch-Analysen und Abwärmekataster für Industriebetriebe und betreuen "
            "Abschlussarbeiten vor Ort."
        ),
        "description_en": "",
    },
    {
        "slug": "h2-testcentre-ruhr",
        "name": "Hydrogen Test Centre Ruhr",
        "kind": "research_institute",
        "size_band": "50-249",
        "sectors": ["research-education"],
        "competences": ["fuel-cells", "hydrogen-infrastructure"],
        "keywords": "fuel cell stack testing, pressure tanks, refuelling components",
        "description_de": "",
        "description_en": (
            "Research centre with test benches for fuel cell stacks up to 200 kW, pressure tanks "
            "and refuelling components, accredited for type approval and durability tests."
        ),
    },
    {
        "slug": "uel-energy-economics",
        "name": "Universität Emscher-Lippe, Lehrstuhl Energiewirtschaft",
        "kind": "university",
        "size_band": "1000+",
        "sectors": ["research-education"],
        "competences": ["grid-integration"],
        "keywords": "Strommärkte, Energiesystemmodellierung, Szenarien",
        "description_de": (
            "Lehrstuhl für Energiewirtschaft: Modelle der europäischen Strom- und "
            "Wasserstoffmärkte, Preisszenarien und Systemkosten von Dekarbonisierungspfaden."
        ),
        "description_en": (
            "Energy economics chair modelling European electricity and hydrogen markets, price "
            "scenarios and the system cost of decarbonisation pathways."
        ),
    },
    {
        "slug": "fi-baustoffe-schlacke",
        "name": "Forschungsinstitut Baustoffe und Schlacken",
        "kind": "research_institute",
        "size_band": "50-249",
        "sectors": ["research-education", "cement-lime", "steel"],
        "competences": ["circular-economy", "materials"],
        "keywords": "Hüttensand, Zementersatz, Schlackenkonditionierung",
        "description_de": (
            "Forschungsinstitut für Schlacken und mineralische Baustoffe: Prüfung von Hüttensand "
            "und Stahlwerksschlacken als Zementersatz, Schlackenkonditionierung im flüssigen "
            "Zustand und Umweltverträglichkeit."
        ),
        "description_en": "",
    },
    {
        "slug": "paper-lab-ruhrmitte",
        "name": "Paper Technology Lab, Ruhr-Mitte University of Applied Sciences",
        "kind": "university_applied",
        "size_band": "250-999",
        "sectors": ["research-education", "paper"],
        "competences": ["energy-efficiency"],
        "keywords": "dewatering, drying section, pulp, pilot paper machine",
        "description_de": "",
        "description_en": (
            "Applied research on paper machine energy use: dewatering in the press section, drying "
            "cylinder heat transfer and infrared drying, with a pilot paper machine."
        ),
    },
    {
        "slug": "papierfabrik-ruhr",
        "name": "Papierfabrik an der Ruhr GmbH",
        "kind": "large_enterprise",
        "size_band": "250-999",
        "sectors": ["paper"],
        "competences": ["process-heat"],
        "keywords": "Wellpappenrohpapier, Altpapier, Trockenpartie, Dampf",
        "description_de": (
            "Papierfabrik für Wellpappenrohpapier aus 100 % Altpapier mit zwei Papiermaschinen; "
            "die Trockenpartie braucht Dampf aus einem eigenen Gaskraftwerk."
        ),
        "description_en": "",
    },
    {
        "slug": "ruhr-tissue",
        "name": "Ruhr Tissue GmbH",
        "kind": "sme",
        "size_band": "250-999",
        "sectors": ["paper"],
        "competences": [],
        "keywords": "tissue, Yankee cylinder, hood dryer",
        "description_de": "",
        "description_en": (
            "Tissue paper mill with two machines; the Yankee cylinder and gas-fired hood dryers "
            "account for most of our energy use, while humid hood exhaust at about 80 °C is "
            "released unused."
        ),
    },
    {
        "slug": "wirtschaftsfoerderung-ge",
        "name": "Wirtschaftsförderung Gelsenkirchen",
        "kind": "public_body",
        "size_band": "10-49",
        "sectors": ["public-sector"],
        "competences": [],
        "keywords": "Gewerbeflächen, Ansiedlung, Standortmarketing",
        "description_de": (
            "Städtische Wirtschaftsförderung: Vermittlung von Gewerbe- und Industrieflächen, auch "
            "auf ehemaligen Zechengeländen, Ansiedlungsbegleitung und Kontakte zu "
            "Genehmigungsbehörden."
        ),
        "description_en": "",
    },
    {
        "slug": "kammer-emscher-ruhr",
        "name": "Kammerverbund Emscher-Ruhr",
        "kind": "association",
        "size_band": "50-249",
        "sectors": ["public-sector"],
        "competences": [],
        "keywords": "Ausbildung, Weiterbildung, Energieeffizienz-Netzwerke",
        "description_de": (
            "Kammer für 40.000 Mitgliedsunternehmen: duale Ausbildung, Weiterbildung, "
            "Energieeffizienz-Netzwerke und Außenwirtschaftsberatung."
        ),
        "description_en": (
            "Chamber representing 40,000 member companies: vocational training, further education, "
            "energy efficiency networks and export advice."
        ),
    },
    {
        "slug": "verband-glas-westfalen",
        "name": "Verband Glasindustrie Westfalen",
        "kind": "association",
        "size_band": "1-9",
        "sectors": ["glass"],
        "competences": [],
        "keywords": "Interessenvertretung, Branchenverband",
        "description_de": (
            "Branchenverband der Glashersteller in Westfalen: Interessenvertretung, Arbeitskreise "
            "zu Energie und Umwelt, Tarifpolitik."
        ),
        "description_en": "",
    },
    {
        "slug": "h2-network-ruhr",
        "name": "Hydrogen Network Ruhr e.V.",
        "kind": "association",
        "size_band": "1-9",
        "sectors": ["energy-supply"],
        "competences": ["hydrogen"],
        "keywords": "Netzwerk, Veranstaltungen, Positionspapiere",
        "description_de": (
            "Mitgliederverein von 120 Unternehmen und Instituten der Wasserstoffwirtschaft; wir "
            "organisieren Arbeitskreise, Veranstaltungen und gemeinsame Positionspapiere."
        ),
        "description_en": (
            "Members' association of 120 companies and institutes in the hydrogen economy; we "
            "organise working groups, events and joint position papers."
        ),
    },
    {
        "slug": "bezirksregierung-emscher",
        "name": "Bezirksregierung Emscher, Dezernat Immissionsschutz",
        "kind": "public_body",
        "size_band": "250-999",
        "sectors": ["public-sector"],
        "competences": [],
        "keywords": "BImSchG, Genehmigungsverfahren, Emissionsgrenzwerte",
        "description_de": (
            "Genehmigungsbehörde für Industrieanlagen nach dem Bundes-Immissionsschutzgesetz; wir "
            "beraten vor der Antragstellung zu Emissionsgrenzwerten und Verfahrensdauer."
        ),
        "description_en": (
            "Permitting authority for industrial installations under the Federal Immission Control "
            "Act, advising before applications on emission limits and procedure times."
        ),
    },
    {
        "slug": "rhine-ruhr-port",
        "name": "Rhine-Ruhr Port Logistics AG",
        "kind": "large_enterprise",
        "size_band": "1000+",
        "sectors": ["consulting-services"],
        "competences": ["hydrogen-infrastructure"],
        "keywords": "inland port, ammonia terminal, rail logistics",
        "description_de": "",
        "description_en": (
            "Inland port operator with container, bulk and rail terminals, planning an import "
            "terminal for green ammonia and methanol arriving by barge from Rotterdam."
        ),
    },
    {
        "slug": "thermodrone",
        "name": "ThermoDrone GmbH",
        "kind": "startup",
        "size_band": "1-9",
        "sectors": ["consulting-services"],
        "competences": ["sensors-rfid"],
        "keywords": "drone inspection, infrared thermography, heat-loss maps",
        "description_de": "",
        "description_en": (
            "Drone-based infrared thermography for chimneys, pipe racks and furnace shells, "
            "delivering heat-loss maps and refractory hot-spot reports."
        ),
    },
    {
        "slug": "reinwasser-technik",
        "name": "Reinwasser Technik GmbH",
        "kind": "sme",
        "size_band": "50-249",
        "sectors": ["mechanical-engineering"],
        "competences": [],
        "keywords": "Umkehrosmose, Deionat, EDI, Speisewasser",
        "description_de": (
            "Anlagenbau für Wasseraufbereitung: Umkehrosmose- und EDI-Anlagen, die vollentsalztes "
            "Speisewasser für Kessel und Elektrolyseure liefern."
        ),
        "description_en": (
            "Water treatment plants: reverse osmosis and EDI units supplying demineralised feed "
            "water for boilers and electrolysers."
        ),
    },
    {
        "slug": "crackit-energy",
        "name": "CrackIt Energy GmbH",
        "kind": "startup",
        "size_band": "10-49",
        "sectors": ["chemicals", "mechanical-engineering"],
        "competences": ["synthetic-fuels", "hydrogen"],
        "keywords": "ammonia cracking, modular cracker, hydrogen release",
        "description_de": "",
        "description_en": (
            "Start-up developing modular ammonia crackers that release hydrogen at the point of "
            "use, with a 200 kg/day demonstrator."
        ),
    },
    {
        "slug": "synthese-anlagenbau",
        "name": "Synthese Anlagenbau Oberhausen AG",
        "kind": "large_enterprise",
        "size_band": "1000+",
        "sectors": ["mechanical-engineering", "chemicals"],
        "competences": ["synthetic-fuels", "sector-coupling"],
        "keywords": "Fischer-Tropsch, E-Kerosin, Synthesegas, EPC",
        "description_de": (
            "Anlagenbauer für Synthesegas-, Methanol- und Fischer-Tropsch-Anlagen; wir liefern "
            "Basic Engineering und schlüsselfertige Anlagen für E-Kerosin."
        ),
        "description_en": (
            "Plant engineering contractor for syngas, methanol and Fischer-Tropsch plants, "
            "delivering basic engineering and turnkey plants for e-kerosene."
        ),
    },
    {
        "slug": "biogas-lippe",
        "name": "Biogas Lippe GbR",
        "kind": "sme",
        "size_band": "1-9",
        "sectors": ["energy-supply"],
        "competences": [],
        "keywords": "Biogas, Gülle, BHKW, Biomethan",
        "description_de": (
            "Landwirtschaftliche Biogasanlage mit 500-kW-BHKW, betrieben mit Gülle und Maissilage; "
            "seit 2023 bereiten wir einen Teil des Gases zu Biomethan auf und speisen es ins "
            "Gasnetz ein."
        ),
        "description_en": "",
    },
    {
        "slug": "diacomp",
        "name": "DiaComp Compressors GmbH",
        "kind": "sme",
        "size_band": "50-249",
        "sectors": ["mechanical-engineering"],
        "competences": ["hydrogen-infrastructure"],
        "keywords": "Membranverdichter, 900 bar, Wasserstoff",
        "description_de": (
            "Hersteller ölfreier Membranverdichter für Wasserstoff bis 900 bar für Tankstellen, "
            "Elektrolyseure und Kavernenspeicher."
        ),
        "description_en": (
            "Manufacturer of oil-free diaphragm compressors for hydrogen up to 900 bar, used at "
            "refuelling stations, electrolysers and storage caverns."
        ),
    },
    {
        "slug": "indutherm-hagen",
        "name": "InduTherm Hagen GmbH",
        "kind": "sme",
        "size_band": "50-249",
        "sectors": ["mechanical-engineering"],
        "competences": ["process-heat"],
        "keywords": "Induktionserwärmung, Schmiedeerwärmung, Mittelfrequenz",
        "description_de": (
            "Induktionsanlagen zum Erwärmen von Knüppeln, Stangen und Blöcken aus Stahl vor dem "
            "Schmieden und Walzen, mit Mittelfrequenz-Umrichtern bis 10 MW und Pyrometerregelung."
        ),
        "description_en": "",
    },
    {
        "slug": "gesenkschmiede-ennepe",
        "name": "Gesenkschmiede Ennepe GmbH",
        "kind": "sme",
        "size_band": "250-999",
        "sectors": ["automotive", "steel"],
        "competences": [],
        "keywords": "closed-die forging, crankshafts, round billets",
        "description_de": "",
        "description_en": (
            "Closed-die forge producing crankshafts and axle parts for trucks from round steel "
            "billets, heated in gas-fired rotary hearth furnaces and by induction."
        ),
    },
    {
        "slug": "ekessel-gevelsberg",
        "name": "E-Kessel Bau Gevelsberg GmbH",
        "kind": "sme",
        "size_band": "50-249",
        "sectors": ["mechanical-engineering"],
        "competences": ["process-heat"],
        "keywords": "Elektrodenkessel, Power-to-Heat, Dampfkessel",
        "description_de": (
            "Hersteller von Elektrodenkesseln und elektrischen Durchlauferhitzern bis 60 MW, die "
            "Prozessdampf direkt aus Strom erzeugen."
        ),
        "description_en": (
            "Manufacturer of electrode boilers and electric flow heaters up to 60 MW that raise "
            "process steam directly from electricity."
        ),
    },
    {
        "slug": "plasmakiln",
        "name": "PlasmaKiln Technologies GmbH",
        "kind": "startup",
        "size_band": "10-49",
        "sectors": ["mechanical-engineering", "cement-lime"],
        "competences": ["process-heat"],
        "keywords": "plasma torch, electric calcination, kiln",
        "description_de": "",
        "description_en": (
            "Start-up developing plasma torches that replace fuel burners in rotary kilns and "
            "calciners; a 1 MW torch is running at a pilot kiln."
        ),
    },
    {
        "slug": "solarakademie-ruhr",
        "name": "Solarakademie Ruhr",
        "kind": "sme",
        "size_band": "10-49",
        "sectors": ["consulting-services"],
        "competences": [],
        "keywords": "Weiterbildung, Photovoltaik, Elektrofachkraft",
        "description_de": (
            "Weiterbildungsträger für Handwerker: Lehrgänge zur Installation von "
            "Photovoltaikanlagen, Wallboxen und Batteriespeichern im Eigenheim."
        ),
        "description_en": "",
    },
    {
        "slug": "brandt-energy-law",
        "name": "Brandt Energy Law",
        "kind": "sme",
        "size_band": "10-49",
        "sectors": ["consulting-services"],
        "competences": [],
        "keywords": "energy law, permitting, state aid, hydrogen regulation",
        "description_de": "",
        "description_en": (
            "Law firm for energy and environmental law: permitting, grid connection disputes, EU "
            "state aid and hydrogen network regulation."
        ),
    },
    {
        "slug": "foerdermittel-kontor",
        "name": "Fördermittel Kontor Essen",
        "kind": "sme",
        "size_band": "1-9",
        "sectors": ["consulting-services"],
        "competences": [],
        "keywords": "Innovationsfonds, Klimaschutzverträge, Antragstellung",
        "description_de": (
            "Beratung zu Förderprogrammen für Dekarbonisierungsprojekte: Anträge für den "
            "EU-Innovationsfonds, Klimaschutzverträge und Landesprogramme."
        ),
        "description_en": "",
    },
    {
        "slug": "polymerwerk-marl",
        "name": "Polymerwerk Marl GmbH",
        "kind": "large_enterprise",
        "size_band": "1000+",
        "sectors": ["chemicals"],
        "competences": [],
        "keywords": "polyamide, continuous reactors, steam demand",
        "description_de": "",
        "description_en": (
            "Produces polyamide and specialty polymers in continuous reactors, with a steam demand "
            "of 150 t/h at 20 bar on the Marl site."
        ),
    },
    {
        "slug": "emissionsmesstechnik-re",
        "name": "Emissionsmesstechnik Recklinghausen GmbH",
        "kind": "sme",
        "size_band": "10-49",
        "sectors": ["consulting-services"],
        "competences": ["sensors-rfid"],
        "keywords": "Emissionsmessung, Rauchgasanalyse, kontinuierliche Messeinrichtungen",
        "description_de": (
            "Bekannt gegebene Messstelle nach § 29b BImSchG: Emissionsmessungen an Öfen und "
            "Kesseln, Rauchgasanalyse und Kalibrierung kontinuierlicher Messeinrichtungen."
        ),
        "description_en": (
            "Notified measuring body: emission measurements at furnaces and boilers, flue gas "
            "analysis and calibration of continuous emission monitoring systems."
        ),
    },
    {
        "slug": "co2-chain-logistics",
        "name": "CO2 Chain Logistics GmbH",
        "kind": "sme",
        "size_band": "50-249",
        "sectors": ["consulting-services"],
        "competences": ["ccus"],
        "keywords": "liquefaction, rail tank cars, offshore storage",
        "description_de": "",
        "description_en": (
            "Organises the transport of captured CO₂: liquefaction, interim storage, rail tank "
            "cars and barges to export hubs for offshore storage in the North Sea."
        ),
    },
    {
        "slug": "institut-klima-energie",
        "name": "Institut für Klima- und Energiesystemanalyse",
        "kind": "research_institute",
        "size_band": "250-999",
        "sectors": ["research-education"],
        "competences": ["sector-coupling"],
        "keywords": "Szenarien, Transformationspfade, Politikberatung",
        "description_de": (
            "Unabhängiges Forschungsinstitut für Transformationspfade der Industrie: Szenarien, "
            "Politikberatung und Begleitforschung zu Reallaboren."
        ),
        "description_en": (
            "Independent research institute on industrial transformation pathways: scenarios, "
            "policy advice and accompanying research for living labs."
        ),
    },
    {
        "slug": "grubenwasser-waerme",
        "name": "Grubenwasser Wärme GmbH",
        "kind": "startup",
        "size_band": "10-49",
        "sectors": ["energy-supply"],
        "competences": [],
        "keywords": "Grubenwasser, Geothermie, Nahwärme",
        "description_de": (
            "Nutzt 25 bis 30 °C warmes Grubenwasser aus stillgelegten Zechen über Großwärmepumpen "
            "für Nahwärmenetze in Bochum und Essen."
        ),
        "description_en": "",
    },
    {
        "slug": "h2-materials-lab-wtu",
        "name": "Hydrogen Materials Lab, Westfalen Technical University",
        "kind": "university",
        "size_band": "1000+",
        "sectors": ["research-education"],
        "competences": ["materials", "hydrogen-infrastructure"],
        "keywords": "hydrogen embrittlement, pipeline steel, fracture mechanics",
        "description_de": "",
        "description_en": (
            "University lab testing steels under pressurised hydrogen: fracture mechanics, fatigue "
            "crack growth and slow strain rate tests on pipeline and valve materials up to 200 "
            "bar."
        ),
    },
    {
        "slug": "glastechnik-institut",
        "name": "Institut für Glastechnik Gelsenkirchen",
        "kind": "research_institute",
        "size_band": "10-49",
        "sectors": ["research-education", "glass"],
        "competences": ["materials"],
        "keywords": "Glasschmelze, Läuterung, Elektroschmelze, Gemenge",
        "description_de": (
            "Forschungsinstitut für Glastechnik: Schmelzversuche im Labor- und Technikumsmaßstab, "
            "Gemenge- und Scherbeneinsatz, Läuterung, Redoxverhalten und vollelektrische "
            "Schmelzwannen."
        ),
        "description_en": (
            "Glass technology institute: melting trials at laboratory and pilot scale, batch and "
            "cullet use, fining, redox behaviour and all-electric melting furnaces."
        ),
    },
    {
        "slug": "uel-metallurgie",
        "name": "Universität Emscher-Lippe, Lehrstuhl Metallurgie",
        "kind": "university",
        "size_band": "1000+",
        "sectors": ["research-education", "steel"],
        "competences": ["materials", "hydrogen"],
        "keywords": "Eisenschwamm, Reduktionskinetik, Erzpellets",
        "description_de": (
            "Lehrstuhl für Metallurgie und Hüttenprozesse: Direktreduktion von Eisenerz mit "
            "Wasserstoff in einem Wirbelschicht- und einem Schachtreaktor im Labormaßstab sowie "
            "das Einschmelzen des Eisenschwamms im Elektroofen."
        ),
        "description_en": "",
    },
    {
        "slug": "fc-intralogistik",
        "name": "FC Intralogistik GmbH",
        "kind": "sme",
        "size_band": "50-249",
        "sectors": ["automotive", "mechanical-engineering"],
        "competences": ["fuel-cells"],
        "keywords": "fuel cell forklifts, range extender, intralogistics",
        "description_de": "",
        "description_en": (
            "Supplies fuel cell power packs that replace lead-acid batteries in forklifts and tow "
            "tractors, including hydrogen supply concepts for warehouse fleets."
        ),
    },
    {
        "slug": "kilnmind-analytics",
        "name": "KilnMind Analytics GmbH",
        "kind": "startup",
        "size_band": "10-49",
        "sectors": ["it-software"],
        "competences": ["ai-data"],
        "keywords": "machine learning, soft sensors, setpoint optimisation",
        "description_de": "",
        "description_en": (
            "Start-up building machine learning models that optimise fuel input, air ratio and "
            "product quality of kilns and furnaces from historic process data, including soft "
            "sensors for free lime and residual CO₂."
        ),
    },
    {
        "slug": "schrotthandel-ruhr",
        "name": "Schrotthandel Ruhr GmbH",
        "kind": "sme",
        "size_band": "50-249",
        "sectors": ["steel"],
        "competences": ["circular-economy"],
        "keywords": "Stahlschrott, Shredder, Schrottsorten",
        "description_de": (
            "Schrottgroßhandel mit Shredderanlage: Sammlung, Sortierung nach der Europäischen "
            "Stahlschrottsortenliste und Lieferung an Elektrostahlwerke."
        ),
        "description_en": (
            "Scrap merchant with a shredder plant: collection, grading to the European steel scrap "
            "specification and delivery to electric steel plants."
        ),
    },
]

REQUESTS = [
    {
        "id": "r01",
        "owner": "zementwerk-beckum",
        "kind": "request",
        "language": "de",
        "title": "Ökobilanz für Klinker mit Ersatzbrennstoffen und Abscheidung",
        "description": (
            "Wir wollen die Umweltwirkungen unseres Zements bilanzieren: heute mit hohem Anteil an "
            "Ersatzbrennstoffen, künftig mit einer Abscheideanlage am Drehrohrofen. Gesucht ist "
            "ein Partner, der Sachbilanzen für Ofenlinie, Brennstoffe und Transport aufstellt, "
            "Szenarien vergleicht und daraus eine Umweltproduktdeklaration erstellt."
        ),
        "competences": [],
        "keywords": "Ökobilanz, Umweltproduktdeklaration, Sachbilanz",
        "partner_kinds": [],
        "split": "heldout",
        "tags": ["cross-language"],
        "judgements": {
            "footprint-analytics": 3,
            "institut-klima-energie": 1,
            "fi-baustoffe-schlacke": 1,
            "ebs-aufbereitung": 1,
        },
    },
    {
        "id": "r02",
        "owner": "glashuette-gelsenkirchen",
        "kind": "request",
        "language": "de",
        "title": "Umrüstung einer U-Flammenwanne auf Wasserstoffbrenner",
        "description": (
            "Wir möchten an einer Behälterglaswanne schrittweise bis zu 100 % Wasserstoff statt "
            "Erdgas verfeuern. Offen sind Flammenstrahlung und Wärmeübertragung ins Glasbad, die "
            "NOx-Bildung und der Einfluss des höheren Wasserdampfgehalts auf die Glasqualität. "
            "Gesucht werden ein Brennerhersteller für die Umrüstung und ein Forschungspartner für "
            "Versuche und Messungen."
        ),
        "competences": ["hydrogen-burners"],
        "keywords": "Glaswanne, Wasserstoffverbrennung, NOx",
        "partner_kinds": [],
        "split": "tune",
        "tags": ["distractor"],
        "judgements": {
            "combustion-institute-essen": 3,
            "brennertechnik-muelheim": 3,
            "glastechnik-institut": 2,
            "refratech-essen": 1,
            "emissionsmesstechnik-re": 1,
        },
    },
    {
        "id": "r03",
        "owner": "polymerwerk-marl",
        "kind": "request",
        "language": "en",
        "title": "High-temperature heat pump for process steam",
        "description": (
            "We want to cover part of our steam demand with heat pumps that lift waste heat from "
            "cooling water at about 60 °C to low-pressure process steam. We are looking for a "
            "supplier with industrial references and a research partner for the integration study "
            "and monitoring."
        ),
        "competences": ["process-heat"],
        "keywords": "heat pump, steam, cooling water",
        "partner_kinds": [],
        "split": "heldout",
        "tags": ["distractor"],
        "judgements": {
            "heatlift-industrial": 3,
            "hs-ruhrmitte-energie": 2,
            "ekessel-gevelsberg": 1,
            "ruhr-thermal-storage": 1,
        },
    },
    {
        "id": "r04",
        "owner": "hattinger-walzwerk",
        "kind": "request",
        "language": "de",
        "title": "Induktive Erwärmung von Stahlknüppeln statt Hubbalkenofen",
        "description": (
            "Unsere Stahlknüppel (150 mm Vierkant) werden bisher im erdgasbefeuerten Hubbalkenofen "
            "auf Walztemperatur gebracht. Wir suchen einen Anlagenbauer für eine induktive "
            "Vorwärmstrecke vor dem Walzgerüst und einen Partner, der Verzunderung und "
            "Temperaturprofil über den Querschnitt bewertet."
        ),
        "competences": ["process-heat"],
        "keywords": "Stahlknüppel, Walzen, Induktion",
        "partner_kinds": [],
        "split": "heldout",
        "tags": ["compound", "distractor"],
        "judgements": {
            "indutherm-hagen": 3,
            "materialpruefung-bochum": 1,
            "brennertechnik-muelheim": 1,
            "netz-westfalen-ruhr": 1,
            "ifm-ruhr": 1,
        },
    },
    {
        "id": "r05",
        "owner": "emscher-stahl",
        "kind": "request",
        "language": "de",
        "title": "Wasserstoffdirektreduktion: Technikumsversuche mit unseren Erzpellets",
        "description": (
            "Für die geplante Anlage wollen wir unsere Erzpellets vorab testen: Reduktionsgrad, "
            "Metallisierung, Zerfall und Kleben bei reinem Wasserstoff und bei Gemischen mit "
            "Erdgas. Gesucht wird ein Partner mit Versuchsreaktor und Prozessmodell, der die "
            "Ergebnisse auf einen Schachtofen im industriellen Maßstab überträgt."
        ),
        "competences": ["hydrogen"],
        "keywords": "Wasserstoffdirektreduktion, Erzpellets, Metallisierung",
        "partner_kinds": [],
        "split": "heldout",
        "tags": ["compound"],
        "judgements": {
            "uel-metallurgie": 3,
            "shaftred-engineering": 3,
            "ifm-ruhr": 2,
            "h2-leitungsnetz": 1,
        },
    },
    {
        "id": "r06",
        "owner": "kalkwerk-wuelfrath",
        "kind": "request",
        "language": "en",
        "title": "Quality-assured alternative fuel for lime shaft kilns",
        "description": (
            "We want to replace part of the lignite dust and natural gas in our shaft kilns with "
            "fuel processed from commercial waste. Lime quality allows only very low chlorine and "
            "a narrow calorific value band. We seek a supplier of pellets or fluff who guarantees "
            "these specifications and supports trial runs."
        ),
        "competences": [],
        "keywords": "alternative fuel, refuse-derived fuel, calorific value",
        "partner_kinds": [],
        "split": "tune",
        "tags": ["cross-language"],
        "judgements": {
            "ebs-aufbereitung": 3,
            "uel-energieanlagen": 1,
            "emissionsmesstechnik-re": 1,
            "ebv-emscher": 1,
        },
    },
    {
        "id": "r07",
        "owner": "stadtwerke-emschertal",
        "kind": "request",
        "language": "de",
        "title": "Industrielle Abwärme für das Fernwärmenetz",
        "description": (
            "Wir wollen Abwärme aus Industriebetrieben in unser Fernwärmenetz einspeisen (Vorlauf "
            "110 °C). Gesucht sind Betriebe mit ungenutzter Abwärme sowie ein Planer, der die "
            "Auskopplung an heißen Abgasströmen auslegt und baut."
        ),
        "competences": ["energy-efficiency"],
        "keywords": "Abwärme, Fernwärme, Auskopplung",
        "partner_kinds": [],
        "split": "heldout",
        "tags": ["synonym"],
        "judgements": {
            "rauchgas-waermetechnik": 3,
            "hs-ruhrmitte-energie": 2,
            "heatlift-industrial": 2,
            "ruhrort-elektrostahl": 2,
            "glashuette-gelsenkirchen": 1,
            "grubenwasser-waerme": 1,
        },
    },
    {
        "id": "r08",
        "owner": "libs-sort",
        "kind": "offer",
        "language": "de",
        "title": "Feldtest legierungsgenauer Schrottsortierung für Lichtbogenöfen",
        "description": (
            "Wir bieten Betreibern von Lichtbogenöfen einen kostenlosen Feldtest unserer "
            "Sortieranlage an. Ziel ist, Kupfer und Zinn im Einsatz zu senken, damit auch "
            "hochwertige Güten aus Schrott erschmolzen werden können. Ideal wäre zusätzlich ein "
            "Schrottlieferant, bei dem die Anlage vorgeschaltet wird."
        ),
        "competences": ["circular-economy", "sensors-rfid"],
        "keywords": "Lichtbogenofen, Kupfergehalt, Sortierung",
        "partner_kinds": [],
        "split": "tune",
        "tags": ["synonym"],
        "judgements": {
            "ruhrort-elektrostahl": 3,
            "schrotthandel-ruhr": 2,
            "ifm-ruhr": 1,
            "emscher-stahl": 1,
        },
    },
    {
        "id": "r09",
        "owner": "stadtwerke-emschertal",
        "kind": "request",
        "language": "de",
        "title": "Wasserstoffversprödung alter Gasverteilungsleitungen prüfen",
        "description": (
            "Wir wollen Teile unseres Gasverteilnetzes auf Wasserstoff umstellen. Für "
            "Leitungsstähle aus den Sechziger- bis Achtzigerjahren fehlen Kennwerte zur "
            "Rissausbreitung unter Wasserstoffdruck. Gesucht wird ein Prüflabor, das Proben aus "
            "ausgebauten Rohren bei Betriebsdruck untersucht und die Umstellung bewertet."
        ),
        "competences": ["hydrogen-infrastructure", "materials"],
        "keywords": "Wasserstoffversprödung, Leitungsstahl, Gasnetz",
        "partner_kinds": [],
        "split": "tune",
        "tags": ["cross-language", "compound"],
        "judgements": {
            "h2-materials-lab-wtu": 3,
            "h2-leitungsnetz": 2,
            "materialpruefung-bochum": 1,
            "h2-testcentre-ruhr": 1,
        },
    },
    {
        "id": "r10",
        "owner": "chempark-marl",
        "kind": "request",
        "language": "en",
        "title": "Condition monitoring for 400 pumps and fans",
        "description": (
            "As part of our site digitalisation programme we want to monitor the condition of "
            "about 400 pumps, fans and agitators in the utility plants. Unplanned outages should "
            "be foreseen from wear trends, and maintenance should move from fixed intervals to "
            "actual need. We seek a partner who brings retrofit hardware and the analytics."
        ),
        "competences": ["ai-data", "sensors-rfid"],
        "keywords": "condition monitoring, rotating equipment, digitalisation",
        "partner_kinds": [],
        "split": "tune",
        "tags": ["synonym", "distractor"],
        "judgements": {
            "vibrasense-ai": 3,
            "ot-secure": 1,
            "trafo-service-herten": 1,
            "kilnmind-analytics": 1,
        },
    },
    {
        "id": "r11",
        "owner": "papierfabrik-ruhr",
        "kind": "request",
        "language": "de",
        "title": "Strombasierte Dampferzeugung für die Trockenpartie",
        "description": (
            "Wir wollen einen Teil des Dampfs für die Trockenpartie mit Strom erzeugen, wenn die "
            "Börsenpreise niedrig sind, und das Gaskraftwerk dann drosseln. Gesucht werden ein "
            "Hersteller elektrischer Dampferzeuger im Bereich 20 bis 40 MW sowie Partner für "
            "Speicherung und Netzanschluss."
        ),
        "competences": ["process-heat"],
        "keywords": "Dampferzeugung, Strom, Trockenpartie",
        "partner_kinds": [],
        "split": "tune",
        "tags": ["synonym"],
        "judgements": {
            "ekessel-gevelsberg": 3,
            "ruhr-thermal-storage": 2,
            "heatlift-industrial": 2,
            "netz-westfalen-ruhr": 1,
            "paper-lab-ruhrmitte": 1,
        },
    },
    {
        "id": "r12",
        "owner": "gesenkschmiede-ennepe",
        "kind": "request",
        "language": "de",
        "title": "Batteriegroßspeicher gegen Lastspitzen in der Schmiede",
        "description": (
            "Unsere Induktionsanlagen und Pressen verursachen Lastspitzen von bis zu 8 MW, die den "
            "Leistungspreis treiben. Wir suchen einen Partner, der einen Großspeicher auf unserem "
            "Gelände plant, finanziert und betreibt und zusätzlich am Regelenergiemarkt "
            "vermarktet."
        ),
        "competences": ["battery-storage"],
        "keywords": "Batteriegroßspeicher, Lastspitzen, Leistungspreis",
        "partner_kinds": [],
        "split": "heldout",
        "tags": ["compound", "distractor"],
        "judgements": {
            "gridbox-storage": 3,
            "netz-westfalen-ruhr": 1,
            "energieberatung-nowak": 1,
        },
    },
    {
        "id": "r13",
        "owner": "zementwerk-beckum",
        "kind": "request",
        "language": "de",
        "title": "Heißstellen am Ofenmantel früh erkennen",
        "description": (
            "An unserem Drehrohrofen wollen wir die Manteltemperatur lückenlos erfassen, um "
            "Schäden an der Ausmauerung zu erkennen, bevor sich der Mantel verformt. Neben einer "
            "Erstaufnahme suchen wir einen Partner, der regelmäßige Befliegungen von Ofenlinie und "
            "Vorwärmerturm übernimmt und Wärmeverluste bewertet."
        ),
        "competences": ["sensors-rfid"],
        "keywords": "Manteltemperatur, Wärmebild, Ausmauerung",
        "partner_kinds": [],
        "split": "heldout",
        "tags": ["cross-language"],
        "judgements": {
            "thermodrone": 3,
            "refratech-essen": 2,
            "hs-emscher-vision": 1,
        },
    },
    {
        "id": "r14",
        "owner": "kalkwerk-wuelfrath",
        "kind": "request",
        "language": "en",
        "title": "Research partner for a carbon capture pilot at a lime kiln",
        "description": (
            "Our shaft kilns emit a flue gas with about 25 % CO₂, most of it from the limestone. "
            "We want to test a capture route that suits this gas, for example calcium looping or "
            "oxyfuel firing, and look for a university or research institute to run the pilot with "
            "us and publish the results."
        ),
        "competences": ["ccus"],
        "keywords": "carbon capture, lime kiln, pilot",
        "partner_kinds": ["science"],
        "split": "heldout",
        "tags": ["partner-kind"],
        "judgements": {
            "uel-energieanlagen": 3,
            "capturetec": 1,
            "co2-chain-logistics": 1,
            "uel-elektrochemie": 1,
        },
    },
    {
        "id": "r15",
        "owner": "polymerwerk-marl",
        "kind": "request",
        "language": "en",
        "title": "Dynamic process model of a polymerisation line for operator training",
        "description": (
            "As part of our digitalisation roadmap we want a digital twin of a continuous "
            "polyamide line: reactors, evaporators and the steam system, detailed enough for "
            "start-up, shutdown and fault scenarios. It should train new shift staff and later "
            "test control changes before they go live."
        ),
        "competences": ["digital-twins"],
        "keywords": "digital twin, process model, operator training",
        "partner_kinds": [],
        "split": "heldout",
        "tags": ["cross-language", "distractor"],
        "judgements": {
            "prozesssim-dortmund": 3,
            "institut-datenraeume": 1,
            "kilnmind-analytics": 1,
        },
    },
    {
        "id": "r16",
        "owner": "ruhr-tubeglass",
        "kind": "request",
        "language": "en",
        "title": "Automated inspection of glass tubing for bubbles and scratches",
        "description": (
            "Our drawing lines produce tubes at high speed; bubbles, airlines and surface "
            "scratches are still found by manual inspection. We look for a partner to develop a "
            "camera system with learning-based defect classification that runs in line at full "
            "speed, and ideally for advice on reducing bubbles at the source."
        ),
        "competences": ["ai-data"],
        "keywords": "defect detection, inline inspection, tubing",
        "partner_kinds": [],
        "split": "tune",
        "tags": ["cross-language"],
        "judgements": {
            "hs-emscher-vision": 3,
            "glastechnik-institut": 2,
            "vibrasense-ai": 1,
            "scherben-dorsten": 1,
        },
    },
    {
        "id": "r17",
        "owner": "rhine-ruhr-port",
        "kind": "request",
        "language": "en",
        "title": "Catalyst testing for ammonia cracking at an import terminal",
        "description": (
            "We plan to crack imported green ammonia into hydrogen at our inland terminal. Before "
            "selecting a cracker we want independent tests of catalysts that work at lower "
            "temperature and with little or no precious metal. We seek a university or research "
            "institute for screening and long-duration tests; equipment suppliers are already on "
            "board."
        ),
        "competences": ["synthetic-fuels"],
        "keywords": "ammonia cracking, catalyst screening",
        "partner_kinds": ["science"],
        "split": "tune",
        "tags": ["cross-language", "partner-kind"],
        "judgements": {
            "katalyse-institut-muelheim": 3,
            "crackit-energy": 1,
            "synthese-anlagenbau": 1,
            "uel-elektrochemie": 1,
        },
    },
    {
        "id": "r18",
        "owner": "cell-lab-wtu",
        "kind": "offer",
        "language": "en",
        "title": "Sodium-ion pouch cells for high-voltage packs in off-road machines",
        "description": (
            "Our pilot line can produce several hundred sodium-ion pouch cells a year. We offer "
            "them to a small or medium-sized company that designs high-voltage packs for "
            "construction machinery or commercial vehicles and wants to test the chemistry at "
            "module level, including management electronics and cold-weather behaviour."
        ),
        "competences": ["battery-cells", "high-voltage-storage"],
        "keywords": "sodium-ion, pouch cells, module testing",
        "partner_kinds": ["sme"],
        "split": "heldout",
        "tags": ["cross-language", "partner-kind"],
        "judgements": {
            "hv-pack-systeme": 3,
            "gridbox-storage": 2,
            "thermosysteme-bochum": 1,
            "blackmass-recycling": 1,
        },
    },
    {
        "id": "r19",
        "owner": "capturetec",
        "kind": "offer",
        "language": "en",
        "title": "Mobile capture unit available for a test campaign at your stack",
        "description": (
            "We offer our containerised amine unit for a three-month campaign at an industrial "
            "site with hard-to-abate emissions. We bring the unit, solvent and analytics; the host "
            "provides a flue gas slipstream, power and cooling water. Ideal hosts fire alternative "
            "fuels or have emissions from raw materials that no fuel switch can avoid."
        ),
        "competences": ["ccus"],
        "keywords": "carbon capture, test campaign, slipstream",
        "partner_kinds": [],
        "split": "heldout",
        "tags": ["cross-language"],
        "judgements": {
            "zementwerk-beckum": 3,
            "kalkwerk-wuelfrath": 2,
            "co2-chain-logistics": 2,
            "emissionsmesstechnik-re": 1,
            "glashuette-gelsenkirchen": 1,
        },
    },
    {
        "id": "r20",
        "owner": "ruhrort-elektrostahl",
        "kind": "request",
        "language": "de",
        "title": "Pfannenverfolgung mit hitzefesten Funketiketten",
        "description": (
            "Wir wollen den Weg unserer 30 Gießpfannen zwischen Ofen, Pfannenofen und "
            "Stranggießanlage automatisch erfassen, um Umlaufzeiten und den Verschleiß der "
            "Ausmauerung auszuwerten. Aufgeklebte Etiketten und Barcodes halten der Hitze nicht "
            "stand. Gesucht wird ein Hersteller von Kennzeichnungen, die mehrere hundert Grad "
            "überstehen."
        ),
        "competences": ["sensors-rfid"],
        "keywords": "Pfannenverfolgung, Funketikett, Gießpfanne",
        "partner_kinds": [],
        "split": "heldout",
        "tags": ["cross-language"],
        "judgements": {
            "heattag-systems": 3,
            "hs-emscher-vision": 1,
            "refratech-essen": 1,
        },
    },
    {
        "id": "r21",
        "owner": "papierfabrik-ruhr",
        "kind": "request",
        "language": "de",
        "title": "Entwässerung in der Pressenpartie verbessern",
        "description": (
            "Jedes Prozent Trockengehalt nach der Presse spart in unserer Trockenpartie rund 4 % "
            "Dampf. Wir suchen eine Hochschule oder ein Forschungsinstitut, das Filze, Pressdruck "
            "und Schuhpressen mit uns untersucht, idealerweise auf einer Versuchspapiermaschine."
        ),
        "competences": ["energy-efficiency"],
        "keywords": "Pressenpartie, Trockengehalt, Schuhpresse",
        "partner_kinds": ["science"],
        "split": "tune",
        "tags": ["cross-language", "partner-kind"],
        "judgements": {
            "paper-lab-ruhrmitte": 3,
            "ruhr-tissue": 1,
            "hs-ruhrmitte-energie": 1,
        },
    },
    {
        "id": "r22",
        "owner": "netz-westfalen-ruhr",
        "kind": "request",
        "language": "de",
        "title": "Typprüfung neuer 110-kV-Kabelgarnituren",
        "description": (
            "Für den Netzausbau wollen wir einen neuen Typ von Kabelendverschlüssen und Muffen "
            "einsetzen. Vor dem Einbau soll eine unabhängige Prüfung mit Stoßspannung und "
            "Teilentladungsmessung in einem geschirmten Labor stattfinden."
        ),
        "competences": ["insulation-testing"],
        "keywords": "Stoßspannungsprüfung, Teilentladung, Kabelmuffen",
        "partner_kinds": [],
        "split": "heldout",
        "tags": ["cross-language"],
        "judgements": {
            "hv-lab-wtu": 3,
            "trafo-service-herten": 1,
        },
    },
    {
        "id": "r23",
        "owner": "hv-pack-systeme",
        "kind": "request",
        "language": "de",
        "title": "Verwertung von Ausschusszellen aus der Packmontage",
        "description": (
            "In unserer Fertigung fallen jährlich rund 40 t Ausschusszellen und fehlerhafte Module "
            "an. Wir suchen einen Verwerter, der die Wertmetalle aus der Aktivmasse zurückgewinnt "
            "und die Rückführung dokumentiert, damit wir die Quoten der Batterieverordnung "
            "nachweisen können."
        ),
        "competences": ["circular-economy"],
        "keywords": "Ausschusszellen, Aktivmasse, Batterieverordnung",
        "partner_kinds": [],
        "split": "tune",
        "tags": ["cross-language", "distractor"],
        "judgements": {
            "blackmass-recycling": 3,
            "schrotthandel-ruhr": 1,
            "cell-lab-wtu": 1,
        },
    },
    {
        "id": "r24",
        "owner": "chempark-marl",
        "kind": "request",
        "language": "de",
        "title": "Dampfspeicher für Überschussstrom am Chemiestandort",
        "description": (
            "Wir wollen Strom aus Stunden mit niedrigen Börsenpreisen speichern und später als "
            "Prozessdampf (bis 30 bar, 350 °C) an die Betriebe am Standort abgeben. Gesucht wird "
            "eine Speichertechnik im Maßstab mehrerer hundert Megawattstunden, die sich in unser "
            "Dampfnetz einbinden lässt."
        ),
        "competences": ["thermal-storage"],
        "keywords": "Hochtemperaturspeicher, Dampfnetz, Überschussstrom",
        "partner_kinds": [],
        "split": "heldout",
        "tags": ["cross-language", "distractor"],
        "judgements": {
            "ruhr-thermal-storage": 3,
            "ekessel-gevelsberg": 2,
            "hs-ruhrmitte-energie": 1,
            "netz-westfalen-ruhr": 1,
        },
    },
    {
        "id": "r25",
        "owner": "emscher-stahl",
        "kind": "request",
        "language": "de",
        "title": "Anschluss an das Wasserstoff-Fernleitungsnetz",
        "description": (
            "Für unsere Direktreduktionsanlage benötigen wir ab Ende des Jahrzehnts rund 150.000 t "
            "Wasserstoff pro Jahr. Wir suchen den Netzbetreiber und die Partner, die einen "
            "Leitungsanschluss mit Verdichtung und Mengenmessung an unserem Standort in Duisburg "
            "realisieren."
        ),
        "competences": ["hydrogen-infrastructure"],
        "keywords": "Fernleitung, Netzanschluss, Verdichtung",
        "partner_kinds": [],
        "split": "tune",
        "tags": ["cross-language", "distractor"],
        "judgements": {
            "h2-leitungsnetz": 3,
            "diacomp": 2,
            "rhine-ruhr-port": 1,
            "herne-elektrolyse": 1,
            "gassensorik-dortmund": 1,
        },
    },
    {
        "id": "r26",
        "owner": "fc-intralogistik",
        "kind": "request",
        "language": "en",
        "title": "Indoor hydrogen refuelling for 60 fuel cell forklifts",
        "description": (
            "A logistics customer in Dortmund will run 60 fuel cell forklifts in three shifts. We "
            "need a partner to design, build and operate an indoor dispenser with storage and "
            "compression, supplied with hydrogen by trailer."
        ),
        "competences": ["hydrogen-infrastructure"],
        "keywords": "refuelling, dispenser, forklifts",
        "partner_kinds": [],
        "split": "tune",
        "tags": ["cross-language", "distractor"],
        "judgements": {
            "h2-mobil-ruhr": 3,
            "diacomp": 2,
            "herne-elektrolyse": 2,
            "gassensorik-dortmund": 1,
        },
    },
    {
        "id": "r27",
        "owner": "plasmakiln",
        "kind": "request",
        "language": "en",
        "title": "Host site for a plasma-heated calciner trial",
        "description": (
            "We want to demonstrate our 1 MW plasma torch in the calciner of an operating cement "
            "plant, where most of the fuel is burnt to decompose the raw meal. We seek a plant "
            "with a preheater tower and space for the torch and its power supply for a six-month "
            "trial."
        ),
        "competences": ["process-heat"],
        "keywords": "electric calcination, plasma torch, trial",
        "partner_kinds": [],
        "split": "tune",
        "tags": ["cross-language"],
        "judgements": {
            "zementwerk-beckum": 3,
            "kalkwerk-wuelfrath": 2,
            "netz-westfalen-ruhr": 2,
            "refratech-essen": 1,
            "uel-energieanlagen": 1,
        },
    },
    {
        "id": "r28",
        "owner": "gesenkschmiede-ennepe",
        "kind": "request",
        "language": "en",
        "title": "Low-carbon round billets from scrap-based steel",
        "description": (
            "Our truck customers demand forgings with a verified lower carbon footprint. We are "
            "looking for a producer that melts scrap electrically, casts round billets of 100 to "
            "180 mm and can supply 20,000 t a year with product-specific footprint data."
        ),
        "competences": ["circular-economy"],
        "keywords": "billets, low-carbon steel, scrap route",
        "partner_kinds": [],
        "split": "heldout",
        "tags": ["cross-language", "compound"],
        "judgements": {
            "ruhrort-elektrostahl": 3,
            "footprint-analytics": 1,
            "emscher-stahl": 1,
            "schrotthandel-ruhr": 1,
        },
    },
    {
        "id": "r29",
        "owner": "herne-elektrolyse",
        "kind": "request",
        "language": "en",
        "title": "Hydrogen leak detection for a new electrolyser hall",
        "description": (
            "We are building a 20 MW electrolyser hall and need a fixed gas warning system with "
            "detectors at the roof ridge, linked to ventilation and emergency shutdown. We seek a "
            "manufacturer with experience in explosion protection."
        ),
        "competences": ["sensors-rfid"],
        "keywords": "leak detection, gas warning, explosion protection",
        "partner_kinds": [],
        "split": "tune",
        "tags": ["cross-language", "compound"],
        "judgements": {
            "gassensorik-dortmund": 3,
            "h2-testcentre-ruhr": 1,
            "emissionsmesstechnik-re": 1,
        },
    },
    {
        "id": "r30",
        "owner": "glashuette-gelsenkirchen",
        "kind": "request",
        "language": "de",
        "title": "Machbarkeitsstudie Hybridwanne mit 80 % Elektrozusatzheizung",
        "description": (
            "Wir prüfen, eine Behälterglaswanne beim nächsten Neubau als Hybridwanne mit 80 % "
            "elektrischer Beheizung über Molybdänelektroden auszuführen. Gesucht sind Partner für "
            "Schmelzversuche und Wannenauslegung, für die Stromversorgung der Elektroden und für "
            "den Netzanschluss."
        ),
        "competences": ["process-heat"],
        "keywords": "Hybridwanne, Elektrozusatzheizung, Glasschmelze",
        "partner_kinds": [],
        "split": "tune",
        "tags": ["compound"],
        "judgements": {
            "glastechnik-institut": 3,
            "ruhr-tubeglass": 2,
            "netz-westfalen-ruhr": 2,
            "umrichterbau-unna": 1,
            "refratech-essen": 1,
        },
    },
    {
        "id": "r31",
        "owner": "ruhrort-elektrostahl",
        "kind": "request",
        "language": "de",
        "title": "Elektroofenschlacke als Zementzumahlstoff",
        "description": (
            "Unsere Elektroofenschlacke wird bisher nur im Straßenbau verwertet. Wir wollen "
            "prüfen, ob sie nach Konditionierung im flüssigen Zustand als Zumahlstoff im Zement "
            "taugt, und suchen Partner für Untersuchungen, Aufbereitung und Abnahme."
        ),
        "competences": ["circular-economy"],
        "keywords": "Elektroofenschlacke, Zementzumahlstoff, Konditionierung",
        "partner_kinds": [],
        "split": "tune",
        "tags": ["compound"],
        "judgements": {
            "fi-baustoffe-schlacke": 3,
            "slagcycle-duisburg": 3,
            "zementwerk-beckum": 2,
            "ifm-ruhr": 1,
            "materialpruefung-bochum": 1,
        },
    },
    {
        "id": "r32",
        "owner": "chempark-marl",
        "kind": "request",
        "language": "de",
        "title": "Sauerstoffverzehrkathoden für unsere Chlor-Alkali-Elektrolyse",
        "description": (
            "Mit Sauerstoffverzehrkathoden ließe sich der Strombedarf unserer Chlorherstellung um "
            "rund 30 % senken. Wir suchen einen Forschungspartner, der Elektroden für unsere "
            "Zellgeometrie entwickelt und im Langzeitbetrieb testet."
        ),
        "competences": ["electrolysis"],
        "keywords": "Sauerstoffverzehrkathode, Chlorherstellung, Strombedarf",
        "partner_kinds": [],
        "split": "heldout",
        "tags": ["synonym", "distractor"],
        "judgements": {
            "uel-elektrochemie": 3,
            "katalyse-institut-muelheim": 2,
            "umrichterbau-unna": 1,
            "herne-elektrolyse": 1,
        },
    },
    {
        "id": "r33",
        "owner": "kalkwerk-wuelfrath",
        "kind": "request",
        "language": "de",
        "title": "Digitalisierung der Ofenführung unserer Schachtöfen",
        "description": (
            "Im Rahmen unserer Digitalisierungsstrategie wollen wir die Fahrweise der Schachtöfen "
            "verbessern: Brennstoffeinsatz, Luftverhältnis und der Restgehalt an Kohlendioxid im "
            "Branntkalk schwanken stark. Aus zehn Jahren Prozessdaten soll ein lernendes Modell "
            "Sollwerte vorschlagen und die Kalkqualität vorhersagen."
        ),
        "competences": ["ai-data"],
        "keywords": "Ofenführung, Prozessdaten, Kalkqualität",
        "partner_kinds": [],
        "split": "heldout",
        "tags": ["cross-language", "distractor", "generic-concept"],
        "judgements": {
            "kilnmind-analytics": 3,
            "prozesssim-dortmund": 2,
            "vibrasense-ai": 1,
            "institut-datenraeume": 1,
        },
    },
    {
        "id": "r34",
        "owner": "verband-glas-westfalen",
        "kind": "request",
        "language": "de",
        "title": "Feuerfeste Steine für wasserstoffbeheizte Glaswannen",
        "description": (
            "Mehrere Mitgliedswerke wollen ihre Wannen teilweise mit Wasserstoff beheizen. Der "
            "höhere Wasserdampfgehalt im Abgas greift Gitterbesatz und Gewölbe der "
            "Wärmespeicherkammern stärker an. Gesucht wird ein Hersteller feuerfester Erzeugnisse, "
            "der beständige Steinsorten liefert und Auslagerungsversuche begleitet."
        ),
        "competences": ["materials"],
        "keywords": "Feuerfest, Gitterbesatz, Wasserdampfkorrosion",
        "partner_kinds": [],
        "split": "tune",
        "tags": ["cross-language", "distractor"],
        "judgements": {
            "refratech-essen": 3,
            "glastechnik-institut": 2,
            "combustion-institute-essen": 1,
            "glashuette-gelsenkirchen": 1,
        },
    },
    {
        "id": "r35",
        "owner": "uel-metallurgie",
        "kind": "request",
        "language": "de",
        "title": "Industriepartner für das Einschmelzen von Eisenschwamm",
        "description": (
            "In einem Verbundprojekt untersuchen wir, wie sich wasserstoffreduzierter Eisenschwamm "
            "mit wenig Gangart im Elektroofen oder Einschmelzer verhält. Gesucht werden "
            "Stahlhersteller aus der Industrie, die Versuchsschmelzen im Betrieb ermöglichen und "
            "Betriebsdaten einbringen."
        ),
        "competences": ["materials"],
        "keywords": "Eisenschwamm, Einschmelzen, Schlackenführung",
        "partner_kinds": ["industry"],
        "split": "tune",
        "tags": ["partner-kind"],
        "judgements": {
            "emscher-stahl": 3,
            "ruhrort-elektrostahl": 3,
            "ifm-ruhr": 1,
            "shaftred-engineering": 1,
        },
    },
    {
        "id": "r36",
        "owner": "hs-ruhrmitte-energie",
        "kind": "request",
        "language": "de",
        "title": "Mittelständischer Praxispartner für einen Wärmepumpen-Demonstrator",
        "description": (
            "Für ein Förderprojekt suchen wir einen mittelständischen Industriebetrieb, der "
            "feuchte Abluft oder Kühlwasser zwischen 50 und 90 °C ungenutzt abgibt und zugleich "
            "Wärme auf höherem Temperaturniveau braucht. Wir planen, messen und werten aus; der "
            "Partner stellt Aufstellfläche und Betriebsdaten."
        ),
        "competences": ["process-heat"],
        "keywords": "Demonstrator, Praxispartner, Mittelstand",
        "partner_kinds": ["sme"],
        "split": "heldout",
        "tags": ["cross-language", "partner-kind"],
        "judgements": {
            "ruhr-tissue": 3,
            "heatlift-industrial": 2,
            "papierfabrik-ruhr": 1,
            "polymerwerk-marl": 1,
            "hattinger-walzwerk": 1,
        },
    },
    {
        "id": "r37",
        "owner": "sunfield-projects",
        "kind": "request",
        "language": "en",
        "title": "Municipal partner for a solar park on a former colliery site",
        "description": (
            "We want to develop a 30 MW solar park on derelict colliery land in Gelsenkirchen and "
            "need a public partner who can identify suitable plots, support the zoning procedure "
            "and bring local stakeholders together. The power would go to a nearby industrial "
            "customer under a direct supply contract."
        ),
        "competences": [],
        "keywords": "solar park, derelict land, zoning",
        "partner_kinds": ["public"],
        "split": "heldout",
        "tags": ["cross-language", "partner-kind"],
        "judgements": {
            "wirtschaftsfoerderung-ge": 3,
            "ebv-emscher": 1,
            "stadtwerke-emschertal": 1,
            "bezirksregierung-emscher": 1,
        },
    },
    {
        "id": "r38",
        "owner": "energieagentur-ruhr",
        "kind": "request",
        "language": "de",
        "title": "Branchenverband als Träger eines Effizienznetzwerks Glas",
        "description": (
            "Wir wollen ein Energieeffizienz-Netzwerk für Glashersteller aufbauen und suchen einen "
            "Verband als Träger, der Mitgliedsbetriebe anspricht und die Treffen ausrichtet. Die "
            "Moderation und Förderberatung übernehmen wir."
        ),
        "competences": ["energy-efficiency"],
        "keywords": "Effizienznetzwerk, Träger, Glasindustrie",
        "partner_kinds": ["association"],
        "split": "tune",
        "tags": ["partner-kind"],
        "judgements": {
            "verband-glas-westfalen": 3,
            "kammer-emscher-ruhr": 2,
            "glashuette-gelsenkirchen": 1,
            "glastechnik-institut": 1,
        },
    },
    {
        "id": "r39",
        "owner": "co2-chain-logistics",
        "kind": "request",
        "language": "en",
        "title": "Sources of unavoidable process emissions for a rail-based CO₂ chain",
        "description": (
            "We are planning a rail shuttle to a North Sea export hub and need anchor customers "
            "whose emissions arise from the raw material itself and cannot be avoided by switching "
            "fuel. Each site should emit at least 300,000 t a year and be willing to build a "
            "capture unit by 2030."
        ),
        "competences": ["ccus"],
        "keywords": "process emissions, anchor customers, rail transport",
        "partner_kinds": [],
        "split": "heldout",
        "tags": ["synonym"],
        "judgements": {
            "kalkwerk-wuelfrath": 3,
            "zementwerk-beckum": 3,
            "capturetec": 2,
            "glashuette-gelsenkirchen": 1,
            "emscher-stahl": 1,
        },
    },
    {
        "id": "r40",
        "owner": "ebv-emscher",
        "kind": "request",
        "language": "de",
        "title": "Rohstoffliche Verwertung von Sortierresten aus der Gelben Tonne",
        "description": (
            "Aus unseren Sortieranlagen fallen jährlich 25.000 t Mischkunststoff-Reste an, die "
            "bisher verbrannt werden. Wir suchen Partner, die diese Fraktion wieder zu Rohstoffen "
            "für die Chemie machen, und Abnehmer für die Produkte."
        ),
        "competences": ["circular-economy"],
        "keywords": "rohstoffliche Verwertung, Sortierreste, Kunststoff",
        "partner_kinds": [],
        "split": "heldout",
        "tags": ["synonym"],
        "judgements": {
            "pyrocycle": 3,
            "uel-energieanlagen": 2,
            "ebs-aufbereitung": 1,
            "chempark-marl": 1,
        },
    },
    {
        "id": "r41",
        "owner": "ebs-aufbereitung",
        "kind": "offer",
        "language": "de",
        "title": "Sekundärbrennstoff mit niedrigem Chlorgehalt für Drehöfen",
        "description": (
            "Wir bieten ab Herbst 60.000 t pro Jahr eines Sekundärbrennstoffs mit unter 0,5 % "
            "Chlor und gleichbleibendem Heizwert an. Der Brennstoff eignet sich für Hauptbrenner "
            "und Calcinator von Drehöfen; wir begleiten Versuchsfahrten mit Analysen."
        ),
        "competences": [],
        "keywords": "Sekundärbrennstoff, Chlor, Hauptbrenner",
        "partner_kinds": [],
        "split": "tune",
        "tags": ["synonym"],
        "judgements": {
            "zementwerk-beckum": 3,
            "kalkwerk-wuelfrath": 2,
            "uel-energieanlagen": 1,
            "emissionsmesstechnik-re": 1,
        },
    },
    {
        "id": "r42",
        "owner": "h2-network-ruhr",
        "kind": "request",
        "language": "en",
        "title": "Builders for a Power-to-X hub at two chemical parks",
        "description": (
            "Our working group is drafting a Power-to-X roadmap for two chemical parks: turning "
            "electrolytic hydrogen and captured carbon into liquid products at 100 MW scale. We "
            "seek contractors who can deliver complete synthesis units, suppliers of small modular "
            "units and a site that would host the first train."
        ),
        "competences": ["sector-coupling"],
        "keywords": "Power-to-X, roadmap, synthesis",
        "partner_kinds": [],
        "split": "tune",
        "tags": ["synonym"],
        "judgements": {
            "synthese-anlagenbau": 3,
            "carbosyn": 2,
            "herne-elektrolyse": 2,
            "chempark-marl": 1,
            "katalyse-institut-muelheim": 1,
        },
    },
    {
        "id": "r43",
        "owner": "h2-mobil-ruhr",
        "kind": "request",
        "language": "de",
        "title": "Ursachenklärung nach einem Riss in einer Hochdruckleitung",
        "description": (
            "An einer 700-bar-Leitung unserer Tankstelle ist nach zwei Jahren Betrieb ein Riss "
            "aufgetreten. Wir brauchen eine unabhängige Untersuchung des Bruchs und eine Aussage, "
            "ob Werkstoff, Fertigung oder Wasserstoffeinfluss die Ursache sind."
        ),
        "competences": ["materials"],
        "keywords": "Riss, Bruchfläche, Hochdruckleitung",
        "partner_kinds": [],
        "split": "heldout",
        "tags": ["synonym"],
        "judgements": {
            "materialpruefung-bochum": 3,
            "h2-materials-lab-wtu": 3,
            "uel-werkstofftechnik": 1,
            "h2-testcentre-ruhr": 1,
            "diacomp": 1,
        },
    },
    {
        "id": "r44",
        "owner": "glashuette-gelsenkirchen",
        "kind": "request",
        "language": "de",
        "title": "Kreislaufwirtschaft: mehr Scherben im Gemenge",
        "description": (
            "Wir wollen den Scherbenanteil in unseren Wannen von 60 auf 85 % erhöhen und so "
            "Rohstoffe und Energie sparen. Dafür brauchen wir mehr ofenfertige Scherben mit wenig "
            "Keramik und sauberer Farbtrennung sowie Versuche zum Einfluss auf Läuterung und "
            "Farbe."
        ),
        "competences": ["circular-economy"],
        "keywords": "Kreislaufwirtschaft, Scherbenanteil, Gemenge",
        "partner_kinds": [],
        "split": "heldout",
        "tags": ["distractor", "generic-concept"],
        "judgements": {
            "scherben-dorsten": 3,
            "glastechnik-institut": 2,
            "ebv-emscher": 1,
        },
    },
    {
        "id": "r45",
        "owner": "fc-intralogistik",
        "kind": "request",
        "language": "en",
        "title": "Hydrogen expertise for fuel cell durability tests",
        "description": (
            "We want to bring hydrogen know-how into our product development: our fuel cell power "
            "packs must last 20,000 operating hours in forklifts. We need a partner who runs "
            "accelerated stress tests on stacks and analyses degradation."
        ),
        "competences": ["fuel-cells"],
        "keywords": "hydrogen, durability, stack",
        "partner_kinds": [],
        "split": "tune",
        "tags": ["distractor", "generic-concept"],
        "judgements": {
            "h2-testcentre-ruhr": 3,
            "katalyse-institut-muelheim": 1,
            "uel-elektrochemie": 1,
        },
    },
    {
        "id": "r46",
        "owner": "ruhrort-elektrostahl",
        "kind": "request",
        "language": "de",
        "title": "Energiespeicher für den E-Ofen",
        "description": (
            "Der Ofen zieht in Sekunden zwischen 20 und 110 MW aus dem Netz; das verursacht "
            "Flicker und hohe Leistungspreise. Wir suchen einen Energiespeicher mit Umrichter, der "
            "diese Spitzen schnell abfängt, und einen Partner für die Auslegung der Kompensation."
        ),
        "competences": ["energy-storage"],
        "keywords": "Energiespeicher, Flicker, Leistungsspitzen",
        "partner_kinds": [],
        "split": "tune",
        "tags": ["distractor", "generic-concept"],
        "judgements": {
            "gridbox-storage": 3,
            "umrichterbau-unna": 2,
            "netz-westfalen-ruhr": 1,
        },
    },
    {
        "id": "r47",
        "owner": "shaftred-engineering",
        "kind": "request",
        "language": "en",
        "title": "Materials expertise for reducing gas heater tubes",
        "description": (
            "Our gas heaters bring hydrogen-rich reducing gas to 950 °C. The tube materials suffer "
            "from creep and metal dusting. We need materials expertise to select alloys or "
            "protective coatings and to run long-term tests."
        ),
        "competences": ["materials"],
        "keywords": "materials, heater tubes, creep",
        "partner_kinds": [],
        "split": "heldout",
        "tags": ["distractor", "generic-concept"],
        "judgements": {
            "uel-werkstofftechnik": 3,
            "h2-materials-lab-wtu": 1,
            "materialpruefung-bochum": 1,
            "refratech-essen": 1,
        },
    },
    {
        "id": "r48",
        "owner": "hattinger-walzwerk",
        "kind": "request",
        "language": "de",
        "title": "Energieeffizienz im Walzwerk: wo anfangen?",
        "description": (
            "Wir wollen unseren Energieverbrauch systematisch senken und dafür Spitzenausgleich "
            "und Förderung sichern. Wir suchen einen Partner, der ein Audit durchführt, die "
            "größten Einsparpotenziale etwa bei Druckluft und Antrieben aufzeigt und ein "
            "Managementsystem mit uns einführt."
        ),
        "competences": ["energy-efficiency"],
        "keywords": "Energieeffizienz, Energieverbrauch, Einsparpotenziale",
        "partner_kinds": [],
        "split": "heldout",
        "tags": ["generic-concept"],
        "judgements": {
            "energieberatung-nowak": 3,
            "rauchgas-waermetechnik": 2,
            "energieagentur-ruhr": 1,
        },
    },
    {
        "id": "r49",
        "owner": "carbosyn",
        "kind": "request",
        "language": "en",
        "title": "Biogenic carbon dioxide for certified renewable methanol",
        "description": (
            "To sell our methanol as a renewable fuel under EU rules, the carbon must come from "
            "biogenic sources. We are looking for operators of anaerobic digestion or biomethane "
            "upgrading units who release a concentrated CO₂ stream and would host a small "
            "liquefaction skid."
        ),
        "competences": ["ccus"],
        "keywords": "biogenic carbon, CO₂ source, renewable methanol",
        "partner_kinds": [],
        "split": "tune",
        "tags": ["cross-language", "generic-concept"],
        "judgements": {
            "biogas-lippe": 3,
            "ebv-emscher": 1,
            "co2-chain-logistics": 1,
            "zementwerk-beckum": 1,
        },
    },
    {
        "id": "r50",
        "owner": "ebv-emscher",
        "kind": "request",
        "language": "de",
        "title": "Wasserstoff für unsere Müllfahrzeuge",
        "description": (
            "Wir wollen 40 Müllfahrzeuge auf Wasserstoff umstellen. Dafür brauchen wir am "
            "Betriebshof eine Betankung für Nutzfahrzeuge, die im Schichtbetrieb zuverlässig "
            "läuft, und einen Betreiber dafür."
        ),
        "competences": ["hydrogen"],
        "keywords": "Wasserstoff, Müllfahrzeuge, Betriebshof",
        "partner_kinds": [],
        "split": "tune",
        "tags": ["distractor", "generic-concept"],
        "judgements": {
            "h2-mobil-ruhr": 3,
            "diacomp": 1,
            "herne-elektrolyse": 1,
            "gassensorik-dortmund": 1,
        },
    },
]

CASE_TAGS = (
    "cross-language",
    "synonym",
    "compound",
    "distractor",
    "partner-kind",
    "generic-concept",
)


def split(name):
    """The requests of one half of the set: "tune" or "heldout"."""
    if name not in ("tune", "heldout"):
        raise ValueError(f"unknown split: {name!r}")
    return [request for request in REQUESTS if request["split"] == name]
