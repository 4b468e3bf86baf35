// generated, do not edit: `npm run build:contracts` writes this from DataNetRegistry.sol
// (solc 0.8.30+commit.73712a01.Emscripten.clang, {"optimizer":{"enabled":true,"runs":200},"evmVersion":"cancun"}, @openzeppelin/contracts 5.7.0)

export const DataNetRegistryAbi = [
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "poster_",
        "type": "address"
      }
    ],
    "stateMutability": "nonpayable",
    "type": "constructor"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "docId",
        "type": "bytes32"
      }
    ],
    "name": "AlreadyChallenged",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      }
    ],
    "name": "AlreadyTallied",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "validator",
        "type": "address"
      }
    ],
    "name": "ApproversNotAscending",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "string",
        "name": "reason",
        "type": "string"
      }
    ],
    "name": "BadParams",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "version",
        "type": "uint64"
      },
      {
        "internalType": "uint64",
        "name": "closedAt",
        "type": "uint64"
      }
    ],
    "name": "ChallengeWindowClosed",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "validator",
        "type": "address"
      }
    ],
    "name": "ChallengersNotSorted",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      }
    ],
    "name": "DataNetExists",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "validator",
        "type": "address"
      },
      {
        "internalType": "bytes32",
        "name": "docId",
        "type": "bytes32"
      }
    ],
    "name": "DidNotApprove",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "voter",
        "type": "address"
      },
      {
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      }
    ],
    "name": "DoubleVote",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "validator",
        "type": "address"
      }
    ],
    "name": "DuplicateChallenger",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "EmptyRoot",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "claimed",
        "type": "address"
      },
      {
        "internalType": "address",
        "name": "recovered",
        "type": "address"
      }
    ],
    "name": "ForgedSignature",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint256",
        "name": "active",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "requested",
        "type": "uint256"
      }
    ],
    "name": "InsufficientStake",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "InvalidShortString",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "caller",
        "type": "address"
      }
    ],
    "name": "NotDataNetOwner",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "docId",
        "type": "bytes32"
      },
      {
        "internalType": "uint64",
        "name": "version",
        "type": "uint64"
      }
    ],
    "name": "NotInVersion",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "caller",
        "type": "address"
      }
    ],
    "name": "NotOwnerOrPoster",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "voter",
        "type": "address"
      }
    ],
    "name": "NotValidator",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "NothingToWithdraw",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "owner",
        "type": "address"
      }
    ],
    "name": "OwnableInvalidOwner",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "account",
        "type": "address"
      }
    ],
    "name": "OwnableUnauthorizedAccount",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      }
    ],
    "name": "QuorumChallengeUnsupported",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint256",
        "name": "challengers",
        "type": "uint256"
      },
      {
        "internalType": "uint16",
        "name": "quorum",
        "type": "uint16"
      }
    ],
    "name": "QuorumNotReached",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "ReentrancyGuardReentrantCall",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "voter",
        "type": "address"
      },
      {
        "internalType": "uint256",
        "name": "active",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "minStake",
        "type": "uint256"
      }
    ],
    "name": "StakeBelowMinimum",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "expected",
        "type": "uint64"
      },
      {
        "internalType": "uint64",
        "name": "got",
        "type": "uint64"
      }
    ],
    "name": "StaleVersion",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "string",
        "name": "str",
        "type": "string"
      }
    ],
    "name": "StringTooLong",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "TransferFailed",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "unbondAt",
        "type": "uint64"
      },
      {
        "internalType": "uint64",
        "name": "now_",
        "type": "uint64"
      }
    ],
    "name": "UnbondingNotOver",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      }
    ],
    "name": "UnknownDataNet",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      }
    ],
    "name": "UnknownRound",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "version",
        "type": "uint64"
      }
    ],
    "name": "UnknownVersion",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      },
      {
        "internalType": "uint64",
        "name": "deadline",
        "type": "uint64"
      }
    ],
    "name": "VotingClosed",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "ZeroAddress",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "ZeroAmount",
    "type": "error"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "voter",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "votesRoot",
        "type": "bytes32"
      }
    ],
    "name": "BallotCounted",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "docId",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "uint64",
        "name": "version",
        "type": "uint64"
      },
      {
        "indexed": false,
        "internalType": "address",
        "name": "challenger",
        "type": "address"
      }
    ],
    "name": "ChallengeUpheld",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "docId",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "uint64",
        "name": "version",
        "type": "uint64"
      },
      {
        "indexed": false,
        "internalType": "address[]",
        "name": "challengers",
        "type": "address[]"
      }
    ],
    "name": "ChallengedByQuorum",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "owner",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "string",
        "name": "name",
        "type": "string"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "metadataHash",
        "type": "bytes32"
      },
      {
        "components": [
          {
            "internalType": "enum DataNetRegistry.Policy",
            "name": "policy",
            "type": "uint8"
          },
          {
            "internalType": "uint16",
            "name": "quorum",
            "type": "uint16"
          },
          {
            "internalType": "uint32",
            "name": "slashPpm",
            "type": "uint32"
          },
          {
            "internalType": "uint64",
            "name": "votingPeriod",
            "type": "uint64"
          },
          {
            "internalType": "uint64",
            "name": "challengeWindow",
            "type": "uint64"
          },
          {
            "internalType": "uint64",
            "name": "unbondingDelay",
            "type": "uint64"
          },
          {
            "internalType": "uint256",
            "name": "minStake",
            "type": "uint256"
          }
        ],
        "indexed": false,
        "internalType": "struct DataNetRegistry.Params",
        "name": "params",
        "type": "tuple"
      }
    ],
    "name": "DataNetCreated",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [],
    "name": "EIP712DomainChanged",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "address",
        "name": "previousOwner",
        "type": "address"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "newOwner",
        "type": "address"
      }
    ],
    "name": "OwnershipTransferred",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "address",
        "name": "previousPoster",
        "type": "address"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "newPoster",
        "type": "address"
      }
    ],
    "name": "PosterChanged",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "docsRoot",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "uint32",
        "name": "docCount",
        "type": "uint32"
      },
      {
        "indexed": false,
        "internalType": "uint64",
        "name": "deadline",
        "type": "uint64"
      }
    ],
    "name": "RoundOpened",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "validator",
        "type": "address"
      },
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "docId",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      }
    ],
    "name": "Slashed",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "validator",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "active",
        "type": "uint256"
      }
    ],
    "name": "Staked",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "votesRoot",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "uint32",
        "name": "approved",
        "type": "uint32"
      },
      {
        "indexed": false,
        "internalType": "uint32",
        "name": "rejected",
        "type": "uint32"
      },
      {
        "indexed": false,
        "internalType": "uint32",
        "name": "ballots",
        "type": "uint32"
      }
    ],
    "name": "TallySubmitted",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "to",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      }
    ],
    "name": "TreasuryWithdrawn",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "validator",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      },
      {
        "indexed": false,
        "internalType": "uint64",
        "name": "unbondAt",
        "type": "uint64"
      }
    ],
    "name": "UnstakeRequested",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "uint64",
        "name": "version",
        "type": "uint64"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "root",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "uint32",
        "name": "docCount",
        "type": "uint32"
      }
    ],
    "name": "VersionPublished",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "validator",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      }
    ],
    "name": "Withdrawn",
    "type": "event"
  },
  {
    "inputs": [],
    "name": "BALLOT_TYPEHASH",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "CHALLENGE_TYPEHASH",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "PPM",
    "outputs": [
      {
        "internalType": "uint32",
        "name": "",
        "type": "uint32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      },
      {
        "internalType": "bytes32",
        "name": "votesRoot",
        "type": "bytes32"
      }
    ],
    "name": "ballotDigest",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      },
      {
        "internalType": "address",
        "name": "voter",
        "type": "address"
      }
    ],
    "name": "ballotOf",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "components": [
          {
            "internalType": "bytes32",
            "name": "docId",
            "type": "bytes32"
          },
          {
            "internalType": "bytes32",
            "name": "contentHash",
            "type": "bytes32"
          },
          {
            "internalType": "address",
            "name": "contributor",
            "type": "address"
          },
          {
            "internalType": "uint64",
            "name": "version",
            "type": "uint64"
          },
          {
            "internalType": "uint64",
            "name": "round",
            "type": "uint64"
          },
          {
            "internalType": "bytes32[]",
            "name": "proof",
            "type": "bytes32[]"
          }
        ],
        "internalType": "struct DataNetRegistry.ChallengedDoc",
        "name": "doc",
        "type": "tuple"
      },
      {
        "internalType": "address[]",
        "name": "approvers",
        "type": "address[]"
      },
      {
        "internalType": "bytes32[][]",
        "name": "voteProofs",
        "type": "bytes32[][]"
      }
    ],
    "name": "challenge",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "components": [
          {
            "internalType": "bytes32",
            "name": "docId",
            "type": "bytes32"
          },
          {
            "internalType": "bytes32",
            "name": "contentHash",
            "type": "bytes32"
          },
          {
            "internalType": "address",
            "name": "contributor",
            "type": "address"
          },
          {
            "internalType": "uint64",
            "name": "version",
            "type": "uint64"
          },
          {
            "internalType": "uint64",
            "name": "round",
            "type": "uint64"
          },
          {
            "internalType": "bytes32[]",
            "name": "proof",
            "type": "bytes32[]"
          }
        ],
        "internalType": "struct DataNetRegistry.ChallengedDoc",
        "name": "doc",
        "type": "tuple"
      },
      {
        "internalType": "address[]",
        "name": "approvers",
        "type": "address[]"
      },
      {
        "internalType": "bytes32[][]",
        "name": "voteProofs",
        "type": "bytes32[][]"
      },
      {
        "components": [
          {
            "internalType": "address",
            "name": "validator",
            "type": "address"
          },
          {
            "internalType": "bytes",
            "name": "signature",
            "type": "bytes"
          }
        ],
        "internalType": "struct DataNetRegistry.ChallengeSignature[]",
        "name": "signatures",
        "type": "tuple[]"
      }
    ],
    "name": "challengeByQuorum",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "internalType": "bytes32",
        "name": "docId",
        "type": "bytes32"
      },
      {
        "internalType": "uint64",
        "name": "version",
        "type": "uint64"
      }
    ],
    "name": "challengeDigest",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      },
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "name": "challenged",
    "outputs": [
      {
        "internalType": "bool",
        "name": "",
        "type": "bool"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "string",
        "name": "name",
        "type": "string"
      },
      {
        "internalType": "address",
        "name": "owner_",
        "type": "address"
      },
      {
        "internalType": "bytes32",
        "name": "metadataHash",
        "type": "bytes32"
      },
      {
        "components": [
          {
            "internalType": "enum DataNetRegistry.Policy",
            "name": "policy",
            "type": "uint8"
          },
          {
            "internalType": "uint16",
            "name": "quorum",
            "type": "uint16"
          },
          {
            "internalType": "uint32",
            "name": "slashPpm",
            "type": "uint32"
          },
          {
            "internalType": "uint64",
            "name": "votingPeriod",
            "type": "uint64"
          },
          {
            "internalType": "uint64",
            "name": "challengeWindow",
            "type": "uint64"
          },
          {
            "internalType": "uint64",
            "name": "unbondingDelay",
            "type": "uint64"
          },
          {
            "internalType": "uint256",
            "name": "minStake",
            "type": "uint256"
          }
        ],
        "internalType": "struct DataNetRegistry.Params",
        "name": "p",
        "type": "tuple"
      }
    ],
    "name": "createDataNet",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      }
    ],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      }
    ],
    "name": "dataNet",
    "outputs": [
      {
        "components": [
          {
            "internalType": "address",
            "name": "owner",
            "type": "address"
          },
          {
            "internalType": "bytes32",
            "name": "metadataHash",
            "type": "bytes32"
          },
          {
            "components": [
              {
                "internalType": "enum DataNetRegistry.Policy",
                "name": "policy",
                "type": "uint8"
              },
              {
                "internalType": "uint16",
                "name": "quorum",
                "type": "uint16"
              },
              {
                "internalType": "uint32",
                "name": "slashPpm",
                "type": "uint32"
              },
              {
                "internalType": "uint64",
                "name": "votingPeriod",
                "type": "uint64"
              },
              {
                "internalType": "uint64",
                "name": "challengeWindow",
                "type": "uint64"
              },
              {
                "internalType": "uint64",
                "name": "unbondingDelay",
                "type": "uint64"
              },
              {
                "internalType": "uint256",
                "name": "minStake",
                "type": "uint256"
              }
            ],
            "internalType": "struct DataNetRegistry.Params",
            "name": "params",
            "type": "tuple"
          },
          {
            "internalType": "uint64",
            "name": "rounds",
            "type": "uint64"
          },
          {
            "internalType": "uint64",
            "name": "version",
            "type": "uint64"
          },
          {
            "internalType": "uint256",
            "name": "treasury",
            "type": "uint256"
          }
        ],
        "internalType": "struct DataNetRegistry.DataNet",
        "name": "",
        "type": "tuple"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "eip712Domain",
    "outputs": [
      {
        "internalType": "bytes1",
        "name": "fields",
        "type": "bytes1"
      },
      {
        "internalType": "string",
        "name": "name",
        "type": "string"
      },
      {
        "internalType": "string",
        "name": "version",
        "type": "string"
      },
      {
        "internalType": "uint256",
        "name": "chainId",
        "type": "uint256"
      },
      {
        "internalType": "address",
        "name": "verifyingContract",
        "type": "address"
      },
      {
        "internalType": "bytes32",
        "name": "salt",
        "type": "bytes32"
      },
      {
        "internalType": "uint256[]",
        "name": "extensions",
        "type": "uint256[]"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "internalType": "bytes32",
        "name": "docsRoot",
        "type": "bytes32"
      },
      {
        "internalType": "uint32",
        "name": "docCount",
        "type": "uint32"
      }
    ],
    "name": "openRound",
    "outputs": [
      {
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      }
    ],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "owner",
    "outputs": [
      {
        "internalType": "address",
        "name": "",
        "type": "address"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "poster",
    "outputs": [
      {
        "internalType": "address",
        "name": "",
        "type": "address"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "internalType": "uint64",
        "name": "version",
        "type": "uint64"
      },
      {
        "internalType": "bytes32",
        "name": "root",
        "type": "bytes32"
      },
      {
        "internalType": "uint32",
        "name": "docCount",
        "type": "uint32"
      }
    ],
    "name": "publishVersion",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "renounceOwnership",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      }
    ],
    "name": "requestUnstake",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      }
    ],
    "name": "roundOf",
    "outputs": [
      {
        "components": [
          {
            "internalType": "bytes32",
            "name": "docsRoot",
            "type": "bytes32"
          },
          {
            "internalType": "uint32",
            "name": "docCount",
            "type": "uint32"
          },
          {
            "internalType": "uint64",
            "name": "deadline",
            "type": "uint64"
          },
          {
            "internalType": "bool",
            "name": "tallied",
            "type": "bool"
          }
        ],
        "internalType": "struct DataNetRegistry.Round",
        "name": "",
        "type": "tuple"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "newPoster",
        "type": "address"
      }
    ],
    "name": "setPoster",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      }
    ],
    "name": "stake",
    "outputs": [],
    "stateMutability": "payable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "internalType": "address",
        "name": "validator",
        "type": "address"
      }
    ],
    "name": "stakeOf",
    "outputs": [
      {
        "components": [
          {
            "internalType": "uint256",
            "name": "active",
            "type": "uint256"
          },
          {
            "internalType": "uint256",
            "name": "unbonding",
            "type": "uint256"
          },
          {
            "internalType": "uint64",
            "name": "unbondAt",
            "type": "uint64"
          }
        ],
        "internalType": "struct DataNetRegistry.Stake",
        "name": "",
        "type": "tuple"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      },
      {
        "internalType": "bytes32",
        "name": "votesRoot",
        "type": "bytes32"
      },
      {
        "internalType": "uint32",
        "name": "approved",
        "type": "uint32"
      },
      {
        "internalType": "uint32",
        "name": "rejected",
        "type": "uint32"
      },
      {
        "components": [
          {
            "internalType": "address",
            "name": "voter",
            "type": "address"
          },
          {
            "internalType": "bytes32",
            "name": "votesRoot",
            "type": "bytes32"
          },
          {
            "internalType": "bytes",
            "name": "signature",
            "type": "bytes"
          }
        ],
        "internalType": "struct DataNetRegistry.Ballot[]",
        "name": "ballots",
        "type": "tuple[]"
      }
    ],
    "name": "submitTally",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "newOwner",
        "type": "address"
      }
    ],
    "name": "transferOwnership",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "internalType": "uint64",
        "name": "version",
        "type": "uint64"
      }
    ],
    "name": "versionOf",
    "outputs": [
      {
        "components": [
          {
            "internalType": "bytes32",
            "name": "root",
            "type": "bytes32"
          },
          {
            "internalType": "uint32",
            "name": "docCount",
            "type": "uint32"
          },
          {
            "internalType": "uint64",
            "name": "publishedAt",
            "type": "uint64"
          }
        ],
        "internalType": "struct DataNetRegistry.Version",
        "name": "",
        "type": "tuple"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      }
    ],
    "name": "withdraw",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "internalType": "address",
        "name": "to",
        "type": "address"
      }
    ],
    "name": "withdrawTreasury",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  }
] as const;

export const DataNetRegistryBytecode = '0x610160604052348015610010575f5ffd5b506040516137fb3803806137fb83398101604081905261002f9161027c565b604080518082018252601381527f6c6f72616c65646765722d646174616e65747300000000000000000000000000602080830191909152825180840190935260018352603160f81b908301529033806100a257604051631e4fbdf760e01b81525f60048201526024015b60405180910390fd5b6100ab816101f0565b5060017f9b779b17422d0df92223018b32b4d1fa46e071723d6817e2486d003becc55f00556100d98261023f565b610120526100e68161023f565b61014052815160208084019190912060e052815190820120610100524660a05261017260e05161010051604080517f8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f60208201529081019290925260608201524660808201523060a08201525f9060c00160405160208183030381529060405280519060200120905090565b60805250503060c0526001600160a01b0381166101a25760405163d92e233d60e01b815260040160405180910390fd5b600380546001600160a01b0319166001600160a01b0383169081179091556040515f907f32487a31d5a41d672510a2a1aa50e214e52d5d25fd9a9e94dfa66f4349f8840f908290a350610304565b5f80546001600160a01b038381166001600160a01b0319831681178455604051919092169283917f8be0079c531659141344cd1fd0a4f28419497f9722a3daafe3b4186f6b6457e09190a35050565b5f5f829050601f81511115610269578260405163305a27a960e01b815260040161009991906102a9565b8051610274826102de565b179392505050565b5f6020828403121561028c575f5ffd5b81516001600160a01b03811681146102a2575f5ffd5b9392505050565b602081525f82518060208401528060208501604085015e5f604082850101526040601f19601f83011684010191505092915050565b805160208083015191908110156102fe575f198160200360031b1b821691505b50919050565b60805160a05160c05160e0516101005161012051610140516134a66103555f395f611ec301525f611e9301525f61227701525f61224f01525f6121aa01525f6121d401525f6121fe01526134a65ff3fe608060405260043610610195575f3560e01c80638d0ed750116100e7578063c115efe811610087578063d3b6346311610062578063d3b6346314610617578063deaaa7cc14610636578063f2fde38b14610669578063faf83b6e14610688575f5ffd5b8063c115efe814610583578063c9cda703146105cc578063d31e5173146105eb575f5ffd5b8063971e86b6116100c2578063971e86b6146105135780639a47ed6c14610532578063a69706ef14610551578063c0d64a8714610570575f5ffd5b80638d0ed750146104a15780638da5cb5b146104d85780638e19899e146104f4575f5ffd5b8063715018a61161015257806379ce7b341161012d57806379ce7b3414610325578063809597211461041057806384b0196e146104475780638b6240b21461046e575f5ffd5b8063715018a6146102a857806373bbb71c146102bc578063771c918e146102db575f5ffd5b80630d720bbc146101995780630ea72a23146101c95780632deadf48146101f6578063321aed4a146102155780635471c0d6146102365780636d7f0fb814610255575b5f5ffd5b3480156101a4575f5ffd5b506101af620f424081565b60405163ffffffff90911681526020015b60405180910390f35b3480156101d4575f5ffd5b506101e86101e33660046128c3565b61073b565b6040519081526020016101c0565b348015610201575f5ffd5b506101e86102103660046128f8565b6107ae565b348015610220575f5ffd5b5061023461022f36600461298b565b610802565b005b348015610241575f5ffd5b50610234610250366004612a6a565b6108df565b348015610260575f5ffd5b506101e861026f366004612ac7565b5f9283526008602090815260408085206001600160401b039490941685529281528284206001600160a01b039290921684525290205490565b3480156102b3575f5ffd5b50610234610a7c565b3480156102c7575f5ffd5b506102346102d6366004612b02565b610a8f565b3480156102e6575f5ffd5b506102fa6102f5366004612b1b565b610b19565b604080518251815260208084015190820152918101516001600160401b0316908201526060016101c0565b348015610330575f5ffd5b506103cc61033f366004612b45565b604080516080810182525f808252602082018190529181018290526060810191909152505f9182526005602090815260408084206001600160401b03938416855282529283902083516080810185528154815260019091015463ffffffff811692820192909252600160201b820490921692820192909252600160601b90910460ff161515606082015290565b6040516101c091908151815260208083015163ffffffff16908201526040808301516001600160401b03169082015260609182015115159181019190915260800190565b34801561041b575f5ffd5b5060035461042f906001600160a01b031681565b6040516001600160a01b0390911681526020016101c0565b348015610452575f5ffd5b5061045b610b99565b6040516101c09796959493929190612ba1565b348015610479575f5ffd5b506101e87f38d615d32c3ecf72c4031b8511ff718163089ff05a7def0e8bcda7fefa1a91a881565b3480156104ac575f5ffd5b506104c06104bb366004612c37565b610bdb565b6040516001600160401b0390911681526020016101c0565b3480156104e3575f5ffd5b505f546001600160a01b031661042f565b3480156104ff575f5ffd5b5061023461050e366004612c62565b610d8c565b34801561051e575f5ffd5b5061023461052d366004612b1b565b610e87565b34801561053d575f5ffd5b5061023461054c366004612c79565b610f85565b34801561055c575f5ffd5b506101e861056b366004612d01565b61116c565b61023461057e366004612c62565b611497565b34801561058e575f5ffd5b506105bc61059d366004612da1565b600960209081525f928352604080842090915290825290205460ff1681565b60405190151581526020016101c0565b3480156105d7575f5ffd5b506102346105e6366004612dc1565b611536565b3480156105f6575f5ffd5b5061060a610605366004612c62565b611563565b6040516101c09190612e95565b348015610622575f5ffd5b50610234610631366004612da1565b61167c565b348015610641575f5ffd5b506101e87fec445df7b606e0ee3237746df7797b54695fcbb371111cf36e034636624b6aea81565b348015610674575f5ffd5b50610234610683366004612b02565b6117a6565b348015610693575f5ffd5b5061070a6106a2366004612b45565b60408051606080820183525f8083526020808401829052928401819052948552600682528285206001600160401b03948516865282529382902082519485018352805485526001015463ffffffff811691850191909152600160201b90049091169082015290565b604080518251815260208084015163ffffffff1690820152918101516001600160401b0316908201526060016101c0565b604080517fec445df7b606e0ee3237746df7797b54695fcbb371111cf36e034636624b6aea60208201529081018490526001600160401b0383166060820152608081018290525f906107a69060a0015b604051602081830303815290604052805190602001206117e0565b949350505050565b604080517f38d615d32c3ecf72c4031b8511ff718163089ff05a7def0e8bcda7fefa1a91a86020820152908101849052606081018390526001600160401b03821660808201525f906107a69060a00161078b565b5f61080c8961180c565b90506001600282015460ff16600181111561082957610829612e61565b1461084f576040516364eceb1360e01b8152600481018a90526024015b60405180910390fd5b5f6108778a836108708d8d5f01358e60600160208101906102109190612f6a565b8787611849565b90506108888a838b8b8b8b8b611a15565b88358a7fc22ac2afec86f1a36181337a6c3b9122569baaccfa4cc991b8735d87c2e2495e6108bc60808d0160608e01612f6a565b846040516108cb929190612f85565b60405180910390a350505050505050505050565b5f6108e98561180c565b90506108f481611dcc565b600481015461091490600160401b90046001600160401b03166001612ff8565b6001600160401b0316846001600160401b03161461097957600481015461094c90600160401b90046001600160401b03166001612ff8565b60405163487344ab60e11b81526001600160401b0391821660048201529085166024820152604401610846565b82610997576040516329e7276760e11b815260040160405180910390fd5b6004810180546fffffffffffffffff00000000000000001916600160401b6001600160401b03878116918202929092179092556040805160608101825286815263ffffffff86811660208084018281524287168587019081525f8e8152600684528781208a8252845287902095518655905160019590950180549151959094166bffffffffffffffffffffffff1990911617600160201b949096169390930294909417905581518781529081019290925287917fb17371bdb89a3464e491b66350e27532bc3db99abc966cee7cc72a3701d1a96b910160405180910390a35050505050565b610a84611e11565b610a8d5f611e3d565b565b610a97611e11565b6001600160a01b038116610abe5760405163d92e233d60e01b815260040160405180910390fd5b6003546040516001600160a01b038084169216907f32487a31d5a41d672510a2a1aa50e214e52d5d25fd9a9e94dfa66f4349f8840f905f90a3600380546001600160a01b0319166001600160a01b0392909216919091179055565b610b4360405180606001604052805f81526020015f81526020015f6001600160401b031681525090565b505f8281526007602090815260408083206001600160a01b0385168452825291829020825160608101845281548152600182015492810192909252600201546001600160401b0316918101919091525b92915050565b5f6060805f5f5f6060610baa611e8c565b610bb2611ebc565b604080515f80825260208201909252600f60f81b9b939a50919850469750309650945092509050565b5f5f610be68561180c565b9050610bf181611dcc565b831580610c02575063ffffffff8316155b15610c20576040516329e7276760e11b815260040160405180910390fd5b6004810180545f90610c3a906001600160401b031661302b565b91906101000a8154816001600160401b0302191690836001600160401b03160217905591505f816002015f0160079054906101000a90046001600160401b031642610c859190612ff8565b6040805160808101825287815263ffffffff80881660208084019182526001600160401b038087168587019081525f606087018181528f8252600585528882208d85168084529552908890209651875593516001969096018054915194511515600160601b0260ff60601b1995909316600160201b026bffffffffffffffffffffffff199092169690951695909517949094179190911692909217905590519192509087907f07e007bf3b01a07072720c401b6b48491e45d6883170fc11c3a7f85717cd05ac90610d7b9089908990879092835263ffffffff9190911660208301526001600160401b0316604082015260600190565b60405180910390a350509392505050565b610d94611ee7565b610d9d8161180c565b505f818152600760209081526040808320338452909152812060018101549091819003610ddd57604051630686827b60e51b815260040160405180910390fd5b60028201546001600160401b0316421015610e25576002820154604051631771290d60e31b81526001600160401b039182166004820152429091166024820152604401610846565b5f6001830155610e353382611f02565b604051818152339084907f04eda370f8b8612fa7266d7ebbd41af9d694e19793fe9d9ff31b3ddbd99b08e19060200160405180910390a35050610e8460015f5160206134515f395f51905f5255565b50565b610e8f611ee7565b5f610e998361180c565b80549091506001600160a01b03163314610ec857604051634376b08160e11b8152336004820152602401610846565b6001600160a01b038216610eef5760405163d92e233d60e01b815260040160405180910390fd5b60058101545f819003610f1557604051630686827b60e51b815260040160405180910390fd5b5f6005830155610f258382611f02565b826001600160a01b0316847f0a65743f526617273ff15f3b2e09ab3826b149f9dfaced07e229b6f2fc7817a283604051610f6191815260200190565b60405180910390a35050610f8160015f5160206134515f395f51905f5255565b5050565b5f610f8f8861180c565b9050610f9a81611dcc565b5f8881526005602090815260408083206001600160401b03808c1685529252822060018101549092600160201b9091049091169003610ff757604051634b52109d60e01b81526001600160401b0389166004820152602401610846565b6001810154600160601b900460ff161561102f5760405163029c1db360e51b81526001600160401b0389166004820152602401610846565b6001810154600160201b90046001600160401b031642111561108557600181015460405163311a46b160e21b81526001600160401b038a81166004830152600160201b9092049091166024820152604401610846565b861580611090575082155b156110ae576040516329e7276760e11b815260040160405180910390fd5b5f5b838110156110ef576110e78a848b8888868181106110d0576110d0613055565b90506020028101906110e29190613069565b611f77565b6001016110b0565b5060018101805460ff60601b1916600160601b1790556040805188815263ffffffff8881166020830152878116828401528516606082015290516001600160401b038a16918b917f4902a1abdcb66ecb4ad0247c37455345e78a8c2197ce51dfd0c84ea11b47d8f2916080908290030190a3505050505050505050565b5f6001600160a01b0384166111945760405163d92e233d60e01b815260040160405180910390fd5b336001600160a01b038516148015906111b857506003546001600160a01b03163314155b156111d85760405163693c71f360e11b8152336004820152602401610846565b85856040516111e8929190613087565b60408051918290039091205f818152600460205291909120549091506001600160a01b03161561122e57604051639e617dab60e01b815260048101829052602401610846565b84158061123b5750604085115b15611277576040516387a33b2760e01b815260206004820152600b60248201526a0dcc2daca40d8cadccee8d60ab1b6044820152606401610846565b620f424061128b6060840160408501613096565b63ffffffff1611156112d1576040516387a33b2760e01b815260206004820152600e60248201526d39b630b9b4283836901f1018b29b60911b6044820152606401610846565b6112e160408301602084016130c0565b61ffff165f0361131f576040516387a33b2760e01b8152602060048201526008602482015267071756f72756d20360c41b6044820152606401610846565b5f61132d60208401846130e7565b600181111561133e5761133e612e61565b14801561135f575061135660408301602084016130c0565b61ffff16600114155b156113ad576040516387a33b2760e01b815260206004820152601d60248201527f6f776e657220706f6c6963792071756f72756d206d75737420626520310000006044820152606401610846565b6113bd6080830160608401612f6a565b6001600160401b03165f03611406576040516387a33b2760e01b815260206004820152600e60248201526d0766f74696e67506572696f6420360941b6044820152606401610846565b5f81815260046020526040902080546001600160a01b0319166001600160a01b0386161781556001810184905582600282016114428282613126565b905050846001600160a01b0316827f3bea4a952012f253ac532516d39a5e83771478ca1cdb167a3e5120db959db014898988886040516114859493929190613277565b60405180910390a35095945050505050565b6114a08161180c565b50345f036114c157604051631f2a200560e01b815260040160405180910390fd5b5f81815260076020908152604080832033845290915281208054909134918391906114ed908490613359565b90915550508054604080513481526020810192909252339184917fa1fdccfe567643a44425efdd141171e8d992854a81e5c819c1432b0de47c9a11910160405180910390a35050565b5f6115408761180c565b905061154b81611dcc565b61155a87828888888888611a15565b50505050505050565b61156b612835565b6115748261180c565b6040805160c08101825282546001600160a01b031681526001808401546020830152825160e08101845260028501805493959486019391929091839160ff909116908111156115c5576115c5612e61565b60018111156115d6576115d6612e61565b8152815461ffff61010082041660208084019190915263ffffffff63010000008304166040808501919091526001600160401b0367010000000000000084048116606080870191909152600160781b850482166080870152600160b81b909404811660a086015260019095015460c090940193909352938552600486015480841694860194909452600160401b9093049091169083015260059092015491015292915050565b5f6116868361180c565b5f84815260076020908152604080832033845290915281209192508390036116c157604051631f2a200560e01b815260040160405180910390fd5b80548311156116f05780546040516322df051360e11b8152600481019190915260248101849052604401610846565b82815f015f828254611702919061336c565b9250508190555082816001015f82825461171c9190613359565b9091555050600282015461174090600160b81b90046001600160401b031642612ff8565b60028201805467ffffffffffffffff19166001600160401b03929092169182179055604080518581526020810192909252339186917feaea210710c2357758256e598c88546f8c7a691fffc00c69efb0cdbb874a60ac910160405180910390a350505050565b6117ae611e11565b6001600160a01b0381166117d757604051631e4fbdf760e01b81525f6004820152602401610846565b610e8481611e3d565b5f610b936117ec61219e565b8360405161190160f01b8152600281019290925260228201526042902090565b5f81815260046020526040902080546001600160a01b0316611844576040516312c3fbb160e01b815260048101839052602401610846565b919050565b6060816001600160401b0381111561186357611863613017565b60405190808252806020026020018201604052801561188c578160200160208202803683370190505b5090505f805b838110156119c5575f8585838181106118ad576118ad613055565b90506020028101906118bf919061337f565b6118cd906020810190612b02565b9050826001600160a01b0316816001600160a01b03161161194957826001600160a01b0316816001600160a01b03160361192557604051630293ad9360e41b81526001600160a01b0382166004820152602401610846565b604051633e594b9760e11b81526001600160a01b0382166004820152602401610846565b611985878288888681811061196057611960613055565b9050602002810190611972919061337f565b611980906020810190613393565b6122c7565b611990898983612379565b808483815181106119a3576119a3613055565b6001600160a01b03909216602092830291909101909101529150600101611892565b506002860154610100900461ffff16831015611a0b576002860154604051636580ff0160e11b81526004810185905261010090910461ffff166024820152604401610846565b5095945050505050565b5f87815260066020526040812081611a336080890160608a01612f6a565b6001600160401b03166001600160401b031681526020019081526020015f2090508060010160049054906101000a90046001600160401b03166001600160401b03165f03611ab057611a8b6080870160608801612f6a565b604051630c0872bf60e31b81526001600160401b039091166004820152602401610846565b600287015460018201545f91611ae1916001600160401b03600160781b909204821691600160201b90910416612ff8565b9050806001600160401b0316421115611b3157611b046080880160608901612f6a565b604051631c8566b160e01b81526001600160401b0391821660048201529082166024820152604401610846565b5f8981526009602090815260408083208a35845290915290205460ff1615611b6f5760405163c4da3f0160e01b815287356004820152602401610846565b5f87356020890135611b8760608b0160408c01612b02565b6040805160208101949094528301919091526001600160a01b0316606082015260800160408051601f198184030181528282528051602091820120908301520160408051601f1981840301815291905280516020909101209050611bf9611bf160a08a018a6133d5565b855484612411565b611c3a578735611c0f60808a0160608b01612f6a565b60405163829e25a360e01b815260048101929092526001600160401b03166024820152604401610846565b5f8a81526009602090815260408083208b358085529252909120805460ff191660011790558a7f4e38e5fee33692cdcda27af653a7fa54c65e31303dd0c8acc465177acb177e9a611c9160808c0160608d01612f6a565b604080516001600160401b0390921682523360208301520160405180910390a35f805b87811015611dbe57816001600160a01b0316898983818110611cd857611cd8613055565b9050602002016020810190611ced9190612b02565b6001600160a01b031611611d4757888882818110611d0d57611d0d613055565b9050602002016020810190611d229190612b02565b60405163466f0d5f60e01b81526001600160a01b039091166004820152602401610846565b888882818110611d5957611d59613055565b9050602002016020810190611d6e9190612b02565b9150611db68c8c8c5f01358d6080016020810190611d8c9190612f6a565b868c8c88818110611d9f57611d9f613055565b9050602002810190611db191906133d5565b612428565b600101611cb4565b505050505050505050505050565b80546001600160a01b03163314801590611df157506003546001600160a01b03163314155b15610e845760405163693c71f360e11b8152336004820152602401610846565b5f546001600160a01b03163314610a8d5760405163118cdaa760e01b8152336004820152602401610846565b5f80546001600160a01b038381166001600160a01b0319831681178455604051919092169283917f8be0079c531659141344cd1fd0a4f28419497f9722a3daafe3b4186f6b6457e09190a35050565b6060611eb77f0000000000000000000000000000000000000000000000000000000000000000612505565b905090565b6060611eb77f0000000000000000000000000000000000000000000000000000000000000000612505565b611eef612542565b60025f5160206134515f395f51905f5255565b5f826001600160a01b0316826040515f6040518083038185875af1925050503d805f8114611f4b576040519150601f19603f3d011682016040523d82523d5f602084013e611f50565b606091505b5050905080611f72576040516312171d8360e31b815260040160405180910390fd5b505050565b611fa3611f898584846020013561073b565b611f966020840184612b02565b6119806040850185613393565b5f600284015460ff166001811115611fbd57611fbd612e61565b0361201f5782546001600160a01b0316611fda6020830183612b02565b6001600160a01b03161461201a57611ff56020820182612b02565b604051633b4f6e2b60e21b81526001600160a01b039091166004820152602401610846565b612036565b61203684846120316020850185612b02565b612379565b5f8481526008602090815260408083206001600160401b03861684528252822090829061206590850185612b02565b6001600160a01b03166001600160a01b031681526020019081526020015f2054146120cb576120976020820182612b02565b6040516313a3081360e21b81526001600160a01b0390911660048201526001600160401b0383166024820152604401610846565b60208101356120ed576040516329e7276760e11b815260040160405180910390fd5b5f8481526008602090815260408083206001600160401b0386168452825282209083018035929061211e9085612b02565b6001600160a01b031681526020808201929092526040015f209190915561214790820182612b02565b6001600160a01b0316826001600160401b0316857f2f03f06a8675c1df3190d8854e36b01bb2843ff510984678663b0048835e1fe3846020013560405161219091815260200190565b60405180910390a450505050565b5f306001600160a01b037f0000000000000000000000000000000000000000000000000000000000000000161480156121f657507f000000000000000000000000000000000000000000000000000000000000000046145b1561222057507f000000000000000000000000000000000000000000000000000000000000000090565b611eb7604080517f8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f60208201527f0000000000000000000000000000000000000000000000000000000000000000918101919091527f000000000000000000000000000000000000000000000000000000000000000060608201524660808201523060a08201525f9060c00160405160208183030381529060405280519060200120905090565b5f5f6123088685858080601f0160208091040260200160405190810160405280939291908181526020018383808284375f9201919091525061257192505050565b5090925090505f81600381111561232157612321612e61565b1415806123405750846001600160a01b0316826001600160a01b031614155b15612371576040516302f7828360e41b81526001600160a01b03808716600483015283166024820152604401610846565b505050505050565b5f8381526007602090815260408083206001600160a01b0385168452909152812054908190036123c757604051633b4f6e2b60e21b81526001600160a01b0383166004820152602401610846565b600383015481101561240b576003830154604051638c05da3760e01b81526001600160a01b0384166004820152602481018390526044810191909152606401610846565b50505050565b5f8261241e8686856125ba565b1495945050505050565b5f8781526008602090815260408083206001600160401b038816845282528083206001600160a01b03871684528252808320548151928301899052600191830191909152919060600160408051601f198184030181528282528051602091820120908301520160408051601f19818403018152919052805160209091012090508115806124be57506124bc84848484612411565b155b156124ee576040516333fceafb60e21b81526001600160a01b038616600482015260248101889052604401610846565b6124fa8989878a6125fb565b505050505050505050565b60605f61251183612717565b6040805160208082528183019092529192505f91906020820181803683375050509182525060208101929092525090565b5f5160206134515f395f51905f5254600203610a8d57604051633ee5aeb560e01b815260040160405180910390fd5b5f5f5f83516041036125a8576020840151604085015160608601515f1a61259a8882858561273e565b9550955095505050506125b3565b505081515f91506002905b9250925092565b5f81815b848110156125f2576125e8828787848181106125dc576125dc613055565b90506020020135612806565b91506001016125be565b50949350505050565b5f8481526007602090815260408083206001600160a01b03861684529091528120600285015460018201548254929392620f4240926301000000900463ffffffff169161264791613359565b612651919061341a565b61265b9190613431565b90505f825f0154821115612670578254612672565b815b905080835f015f828254612686919061336c565b909155506126969050818361336c565b836001015f8282546126a8919061336c565b9250508190555081866005015f8282546126c29190613359565b9250508190555083856001600160a01b0316887fb03fda3fe1b79698de7994cef2871f268c3aa583108ee8ae3d0742f8e49bcf9b8560405161270691815260200190565b60405180910390a450505050505050565b5f60ff8216601f811115610b9357604051632cd44ac360e21b815260040160405180910390fd5b5f80807f7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a084111561277757505f915060039050826127fc565b604080515f808252602082018084528a905260ff891692820192909252606081018790526080810186905260019060a0016020604051602081039080840390855afa1580156127c8573d5f5f3e3d5ffd5b5050604051601f1901519150506001600160a01b0381166127f357505f9250600191508290506127fc565b92505f91508190505b9450945094915050565b5f818310612820575f82815260208490526040902061282e565b5f8381526020839052604090205b9392505050565b6040805160c0810182525f808252602082015290810161288a6040805160e08101909152805f81525f6020820181905260408201819052606082018190526080820181905260a0820181905260c09091015290565b81525f602082018190526040820181905260609091015290565b6001600160401b0381168114610e84575f5ffd5b8035611844816128a4565b5f5f5f606084860312156128d5575f5ffd5b8335925060208401356128e7816128a4565b929592945050506040919091013590565b5f5f5f6060848603121561290a575f5ffd5b83359250602084013591506040840135612923816128a4565b809150509250925092565b5f60c0828403121561293e575f5ffd5b50919050565b5f5f83601f840112612954575f5ffd5b5081356001600160401b0381111561296a575f5ffd5b6020830191508360208260051b8501011115612984575f5ffd5b9250929050565b5f5f5f5f5f5f5f5f60a0898b0312156129a2575f5ffd5b8835975060208901356001600160401b038111156129be575f5ffd5b6129ca8b828c0161292e565b97505060408901356001600160401b038111156129e5575f5ffd5b6129f18b828c01612944565b90975095505060608901356001600160401b03811115612a0f575f5ffd5b612a1b8b828c01612944565b90955093505060808901356001600160401b03811115612a39575f5ffd5b612a458b828c01612944565b999c989b5096995094979396929594505050565b63ffffffff81168114610e84575f5ffd5b5f5f5f5f60808587031215612a7d575f5ffd5b843593506020850135612a8f816128a4565b9250604085013591506060850135612aa681612a59565b939692955090935050565b80356001600160a01b0381168114611844575f5ffd5b5f5f5f60608486031215612ad9575f5ffd5b833592506020840135612aeb816128a4565b9150612af960408501612ab1565b90509250925092565b5f60208284031215612b12575f5ffd5b61282e82612ab1565b5f5f60408385031215612b2c575f5ffd5b82359150612b3c60208401612ab1565b90509250929050565b5f5f60408385031215612b56575f5ffd5b823591506020830135612b68816128a4565b809150509250929050565b5f81518084528060208401602086015e5f602082860101526020601f19601f83011685010191505092915050565b60ff60f81b8816815260e060208201525f612bbf60e0830189612b73565b8281036040840152612bd18189612b73565b606084018890526001600160a01b038716608085015260a0840186905283810360c0850152845180825260208087019350909101905f5b81811015612c26578351835260209384019390920191600101612c08565b50909b9a5050505050505050505050565b5f5f5f60608486031215612c49575f5ffd5b8335925060208401359150604084013561292381612a59565b5f60208284031215612c72575f5ffd5b5035919050565b5f5f5f5f5f5f5f60c0888a031215612c8f575f5ffd5b873596506020880135612ca1816128a4565b9550604088013594506060880135612cb881612a59565b93506080880135612cc881612a59565b925060a08801356001600160401b03811115612ce2575f5ffd5b612cee8a828b01612944565b989b979a50959850939692959293505050565b5f5f5f5f5f858703610140811215612d17575f5ffd5b86356001600160401b03811115612d2c575f5ffd5b8701601f81018913612d3c575f5ffd5b80356001600160401b03811115612d51575f5ffd5b896020828401011115612d62575f5ffd5b602091820197509550612d76908801612ab1565b93506040870135925060e0605f1982011215612d90575f5ffd5b506060860190509295509295909350565b5f5f60408385031215612db2575f5ffd5b50508035926020909101359150565b5f5f5f5f5f5f60808789031215612dd6575f5ffd5b8635955060208701356001600160401b03811115612df2575f5ffd5b612dfe89828a0161292e565b95505060408701356001600160401b03811115612e19575f5ffd5b612e2589828a01612944565b90955093505060608701356001600160401b03811115612e43575f5ffd5b612e4f89828a01612944565b979a9699509497509295939492505050565b634e487b7160e01b5f52602160045260245ffd5b60028110612e9157634e487b7160e01b5f52602160045260245ffd5b9052565b81516001600160a01b03168152602080830151908201526040808301518051610180840192612ec79190850190612e75565b61ffff602082015116606084015263ffffffff60408201511660808401526001600160401b0360608201511660a08401526001600160401b0360808201511660c08401526001600160401b0360a08201511660e084015260c0810151610100840152506060830151612f456101208401826001600160401b03169052565b5060808301516001600160401b031661014083015260a0909201516101609091015290565b5f60208284031215612f7a575f5ffd5b813561282e816128a4565b5f604082016001600160401b0385168352604060208401528084518083526060850191506020860192505f5b81811015612fd85783516001600160a01b0316835260209384019390920191600101612fb1565b50909695505050505050565b634e487b7160e01b5f52601160045260245ffd5b6001600160401b038181168382160190811115610b9357610b93612fe4565b634e487b7160e01b5f52604160045260245ffd5b5f6001600160401b0382166001600160401b03810361304c5761304c612fe4565b60010192915050565b634e487b7160e01b5f52603260045260245ffd5b5f8235605e1983360301811261307d575f5ffd5b9190910192915050565b818382375f9101908152919050565b5f602082840312156130a6575f5ffd5b813561282e81612a59565b61ffff81168114610e84575f5ffd5b5f602082840312156130d0575f5ffd5b813561282e816130b1565b60028110610e84575f5ffd5b5f602082840312156130f7575f5ffd5b813561282e816130db565b5f8135610b93816130b1565b5f8135610b9381612a59565b5f8135610b93816128a4565b8135613131816130db565b6002811061314d57634e487b7160e01b5f52602160045260245ffd5b60ff1982541660ff821681178355505061318461316c60208401613102565b825462ffff00191660089190911b62ffff0016178255565b6131b36131936040840161310e565b825466ffffffff000000191660189190911b66ffffffff00000016178255565b6131f26131c26060840161311a565b82546effffffffffffffff00000000000000191660389190911b6effffffffffffffff0000000000000016178255565b61322d6132016080840161311a565b82805467ffffffffffffffff60781b191660789290921b67ffffffffffffffff60781b16919091179055565b61326861323c60a0840161311a565b82805467ffffffffffffffff60b81b191660b89290921b67ffffffffffffffff60b81b16919091179055565b60c09190910135600190910155565b61012081528361012082015283856101408301375f61014085830101525f610140601f19601f870116830101905083602083015282356132b6816130db565b6132c36040840182612e75565b5060208301356132d2816130b1565b61ffff16606083015260408301356132e981612a59565b63ffffffff1660808301526060830135613302816128a4565b6001600160401b031660a083015261331c608084016128b8565b6001600160401b031660c083015261333660a084016128b8565b6001600160401b031660e083015260c09290920135610100909101529392505050565b80820180821115610b9357610b93612fe4565b81810381811115610b9357610b93612fe4565b5f8235603e1983360301811261307d575f5ffd5b5f5f8335601e198436030181126133a8575f5ffd5b8301803591506001600160401b038211156133c1575f5ffd5b602001915036819003821315612984575f5ffd5b5f5f8335601e198436030181126133ea575f5ffd5b8301803591506001600160401b03821115613403575f5ffd5b6020019150600581901b3603821315612984575f5ffd5b8082028115828204841417610b9357610b93612fe4565b5f8261344b57634e487b7160e01b5f52601260045260245ffd5b50049056fe9b779b17422d0df92223018b32b4d1fa46e071723d6817e2486d003becc55f00a264697066735822122089655376ad6b021678ab7fb3170f37c26f66505e26a4b39b6fca67df865bd43364736f6c634300081e0033' as const;
